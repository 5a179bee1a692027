// The embeddable inbox widget: a bell with a badge and a drop-down list, in a shadow root of its own so the host
// page's styles do not reach it (nor its styles the page). Served inside /widget/inbox.js, where `signalR` (the
// SignalR client) and `CommsInboxCore` (inbox-core.js) are variables of the bundle, not globals of the page.
//
//   <script src="https://comms.example.com/widget/inbox.js" data-token="USER_JWT" data-api="https://api.example.com"></script>
//   CommsInbox.mount(element, { token, api, hub })   // token: a string or a function returning one (or a promise)

const STYLE = `
:host { all: initial !important; display: inline-block !important; position: relative !important; vertical-align: middle !important; }
.root { all: initial; display: block; position: relative; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
* { box-sizing: border-box; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button { font: inherit; color: inherit; cursor: pointer; }
:focus-visible { outline: 2px solid #0b57d0; outline-offset: 2px; }
.bell { position: relative; display: inline-flex; align-items: center; justify-content: center; width: 40px; height: 40px; border: 1px solid #8c959f; border-radius: 50%; background: #fff; }
.bell svg { width: 20px; height: 20px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -6px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #b3261e; color: #fff; font-size: 12px; font-weight: 600; line-height: 20px; text-align: center; }
.badge[hidden] { display: none; }
.panel { position: absolute; right: 0; top: calc(100% + 8px); z-index: 2147483000; width: min(380px, 92vw); max-height: min(520px, 80vh); display: flex; flex-direction: column; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; box-shadow: 0 8px 24px rgba(0, 0, 0, .18); }
.panel[hidden] { display: none; }
.head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 12px; border-bottom: 1px solid #d0d7de; }
.head h2 { margin: 0; font-size: 15px; font-weight: 600; }
.state { font-size: 12px; color: #57606a; }
.list { list-style: none; margin: 0; padding: 0; overflow-y: auto; }
.item { display: flex; gap: 8px; padding: 10px 12px; border-bottom: 1px solid #eaeef2; }
.item.unread { background: #eef4ff; }
.item:focus { outline: 2px solid #0b57d0; outline-offset: -2px; }
.content { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.title { margin: 0 0 2px; font-size: 14px; font-weight: 600; }
.title a { color: #0b57d0; }
.body { font-size: 13px; }
.body p { margin: 0 0 4px; }
.body a { color: #0b57d0; }
.link-text { font-size: 12px; color: #57606a; }
time { display: block; font-size: 12px; color: #57606a; }
.actions { display: flex; flex-direction: column; gap: 4px; }
.actions button, .foot button, .head button { padding: 2px 8px; font-size: 12px; background: #fff; border: 1px solid #8c959f; border-radius: 4px; }
.empty { padding: 16px 12px; color: #57606a; }
.foot { padding: 8px 12px; text-align: center; }
.foot[hidden] { display: none; }
`;

const BELL = '<svg aria-hidden="true" focusable="false" viewBox="0 0 16 16"><path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm.995-14.901a1 1 0 1 0-1.99 0A5.002 5.002 0 0 0 3 6c0 1.098-.5 6-2 7h14c-1.5-1-2-5.902-2-7 0-2.42-1.72-4.44-4.005-4.901z"/></svg>';

// Elements an item's (server-sanitized) body may keep; everything else becomes its text.
const BODY_TAGS = new Set(['P', 'BR', 'STRONG', 'B', 'EM', 'I', 'CODE', 'PRE', 'UL', 'OL', 'LI', 'BLOCKQUOTE', 'DEL', 'S', 'HR', 'A']);

let widgets = 0;

function element(tag, attributes, children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => {
    if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  });
  (children || []).forEach(child => node.append(child));
  return node;
}

// Rebuilds the body from the parsed HTML with only the allowed elements and no attributes but a checked href:
// nothing of an item can run script in the host page, whatever the host page's CSP is.
function safeBody(html) {
  const parsed = new DOMParser().parseFromString(String(html || ''), 'text/html');
  const copy = source => {
    const out = document.createDocumentFragment();
    source.childNodes.forEach(node => {
      if (node.nodeType === Node.TEXT_NODE) {
        out.append(node.textContent);
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.tagName === 'A') {
          const href = CommsInboxCore.safeLink(node.getAttribute('href'), document.baseURI);
          const target = href ? element('a', { href }) : element('span');
          target.append(copy(node));
          out.append(target);
        } else if (BODY_TAGS.has(node.tagName)) {
          const target = document.createElement(node.tagName.toLowerCase());
          target.append(copy(node));
          out.append(target);
        } else if (!['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED'].includes(node.tagName)) {
          out.append(copy(node));
        }
      }
    });
    return out;
  };
  return copy(parsed.body);
}

function apiTransport(api, token) {
  const base = String(api || '').replace(/\/+$/, '');
  async function call(method, path) {
    const response = await fetch(base + path, {
      method,
      mode: 'cors',
      credentials: 'omit',
      headers: { Authorization: 'Bearer ' + await token() },
    });
    if (!response.ok) {
      throw new Error(`Comms inbox: ${method} ${path} answered ${response.status}`);
    }
    return response.json();
  }

  return {
    list: ({ before, after, limit }) => {
      const query = new URLSearchParams();
      if (before) query.set('before', before);
      if (after) query.set('after', after);
      if (limit) query.set('limit', limit);
      return call('GET', '/me/notifications?' + query);
    },
    change: (id, action) => call('POST', `/me/notifications/${encodeURIComponent(id)}/${action}`),
    readAll: () => call('POST', '/me/notifications/read-all'),
    seen: () => call('POST', '/me/notifications/seen'),
  };
}

function mount(host, options) {
  if (!host || typeof host.attachShadow !== 'function') {
    throw new Error('CommsInbox.mount: give an element (e.g. a <span> or <div>) to put the bell in.');
  }
  if (!options || !options.token || !options.api) {
    throw new Error('CommsInbox.mount: give { token, api } (and hub, unless the widget script is served by the same Comms.Web).');
  }

  const token = typeof options.token === 'function' ? async () => options.token() : async () => options.token;
  const hubUrl = options.hub || new URL('/hubs/notifications', options.scriptSrc || document.baseURI).href;
  const id = 'comms-inbox-' + (++widgets);
  const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
  root.replaceChildren();
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(element('style', {}, [STYLE]));
  }

  const badge = element('span', { class: 'badge', 'aria-hidden': 'true', hidden: true, part: 'badge' });
  const bell = element('button', { type: 'button', class: 'bell', 'aria-expanded': 'false', 'aria-controls': id + '-panel', 'aria-label': 'Notifications' });
  bell.innerHTML = BELL;
  bell.append(badge);
  const state = element('span', { class: 'state', role: 'status' });
  const readAll = element('button', { type: 'button' }, ['Mark all read']);
  const heading = element('h2', { id: id + '-title', tabindex: '-1' }, ['Notifications']);
  const list = element('ul', { class: 'list', 'aria-labelledby': id + '-title' });
  const empty = element('p', { class: 'empty' }, ['You have no notifications.']);
  const older = element('button', { type: 'button' }, ['Show older']);
  const foot = element('div', { class: 'foot', hidden: true }, [older]);
  const panel = element('div', { class: 'panel', id: id + '-panel', role: 'dialog', 'aria-labelledby': id + '-title', hidden: true }, [
    element('div', { class: 'head' }, [heading, state, readAll]), list, empty, foot,
  ]);
  const announcer = element('div', { class: 'sr-only', 'aria-live': 'polite' });
  root.append(element('div', { class: 'root' }, [bell, panel, announcer]));

  const inbox = CommsInboxCore.createInbox({ transport: apiTransport(options.api, token), pageSize: options.pageSize || 20 });
  let open = false;
  let announced = '';
  let activeId = null; // the row that is the list's one tab stop

  const labels = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };

  function render() {
    const unread = inbox.unread;
    badge.textContent = unread >= 1000 ? '999+' : String(unread);
    badge.hidden = unread === 0;
    bell.setAttribute('aria-label', unread === 0 ? 'Notifications' : `Notifications, ${badge.textContent} unread`);
    state.textContent = labels[inbox.connection] || inbox.connection;
    readAll.disabled = unread === 0;
    foot.hidden = !inbox.olderCursor;
    if (inbox.announcement && inbox.announcement !== announced) {
      announced = inbox.announcement;
      announcer.textContent = announced;
    }

    // Keep the focused row (or its button) focused across the re-render.
    const focused = root.activeElement;
    const focusedItem = focused && focused.closest ? focused.closest('li[data-id]') : null;
    const focus = focusedItem ? { id: focusedItem.dataset.id, action: focused.dataset.action || null } : null;

    const items = inbox.items();
    empty.hidden = items.length > 0;
    const active = items.some(item => item.id === activeId) ? activeId : (items[0] && items[0].id);
    list.replaceChildren(...items.map(item => row(item, item.id === active)));
    if (focus) {
      const target = list.querySelector(`li[data-id="${CSS.escape(focus.id)}"]`);
      const button = target && focus.action ? target.querySelector(`button[data-action="${focus.action}"]`) : null;
      (button || target || heading).focus();
    }
  }

  function row(item, tabStop) {
    const href = CommsInboxCore.safeLink(item.link, document.baseURI);
    const title = element('p', { class: 'title' }, [
      item.readAt ? '' : element('span', { class: 'sr-only' }, ['Unread: ']),
      href ? element('a', { href }, [item.title]) : item.title,
    ]);
    const content = element('div', { class: 'content' }, [title, element('div', { class: 'body' }, [safeBody(item.bodyHtml)])]);
    if (item.link && !href) {
      content.append(element('span', { class: 'link-text' }, [item.link]));
    }
    content.append(element('time', { datetime: item.createdAt }, [
      CommsInboxCore.toDate(item.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }),
    ]));
    const read = item.readAt
      ? element('button', { type: 'button', 'data-action': 'unread', 'aria-label': 'Mark unread: ' + item.title }, ['Mark unread'])
      : element('button', { type: 'button', 'data-action': 'read', 'aria-label': 'Mark read: ' + item.title }, ['Mark read']);
    const archive = element('button', { type: 'button', 'data-action': 'archive', 'aria-label': 'Archive: ' + item.title }, ['Archive']);
    return element('li', { class: 'item' + (item.readAt ? '' : ' unread'), 'data-id': item.id, tabindex: tabStop ? '0' : '-1' },
      [content, element('div', { class: 'actions' }, [read, archive])]);
  }

  function toggle(show, focusBell) {
    open = show;
    panel.hidden = !show;
    bell.setAttribute('aria-expanded', String(show));
    if (show) {
      render();
      (list.querySelector('li') || heading).focus();
      inbox.seen().catch(() => {});
    } else if (focusBell) {
      bell.focus();
    }
  }

  bell.addEventListener('click', () => toggle(!open, false));
  bell.addEventListener('keydown', event => {
    if (event.key === 'Escape' && open) {
      event.preventDefault();
      toggle(false, true);
    }
  });
  readAll.addEventListener('click', () => inbox.readAll().catch(() => {}));
  older.addEventListener('click', () => inbox.loadOlder().catch(() => {}));
  list.addEventListener('click', event => {
    const button = event.target.closest('button[data-action]');
    const li = event.target.closest('li[data-id]');
    const item = li && inbox.items().find(candidate => candidate.id === li.dataset.id);
    if (button && item) {
      if (button.dataset.action === 'archive') {
        // The row goes away: focus the next one (or the previous, or the heading).
        const next = li.nextElementSibling || li.previousElementSibling;
        inbox.change(item, 'archive').then(() => {
          const target = next && list.querySelector(`li[data-id="${CSS.escape(next.dataset.id)}"]`);
          (target || heading).focus();
        }).catch(() => {});
      } else {
        inbox.change(item, button.dataset.action).catch(() => {});
      }
    }
  });

  // Arrow keys move between rows (one tab stop for the list), Home/End to the ends, Escape closes.
  panel.addEventListener('keydown', event => {
    if (event.key === 'Escape') {
      event.preventDefault();
      toggle(false, true);
      return;
    }
    const rows = [...list.querySelectorAll('li[data-id]')];
    const current = event.target.closest ? event.target.closest('li[data-id]') : null;
    if (!current || !['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) {
      return;
    }
    const index = rows.indexOf(current);
    const next = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1 }[event.key];
    event.preventDefault();
    if (next >= 0 && next < rows.length) {
      rows.forEach(rowElement => rowElement.setAttribute('tabindex', '-1'));
      rows[next].setAttribute('tabindex', '0');
      activeId = rows[next].dataset.id;
      rows[next].focus();
    }
  });

  // A click outside the widget closes it (clicks inside the shadow root are retargeted to the host).
  const outside = event => {
    if (open && !event.composedPath().includes(host)) {
      toggle(false, false);
    }
  };
  document.addEventListener('click', outside);

  inbox.subscribe(render);
  render();
  inbox.start()
    .catch(() => {})
    .then(() => inbox.connect(signalR, hubUrl, {
      accessTokenFactory: token,
      // The token authenticates; no cookie of Comms' origin is sent from the host page.
      withCredentials: false,
    }, options.logLevel === undefined ? signalR.LogLevel.None : options.logLevel));

  return {
    inbox,
    open: () => toggle(true, false),
    close: () => toggle(false, false),
    async unmount() {
      document.removeEventListener('click', outside);
      await inbox.disconnect();
      root.replaceChildren();
    },
  };
}

window.CommsInbox = { mount };

// <script src=".../widget/inbox.js" data-token="..." data-api="..." [data-hub] [data-target="#selector"]>: mounts at once.
(function autoMount(script) {
  if (!script || !script.dataset || !script.dataset.token) {
    return;
  }
  const options = { token: script.dataset.token, api: script.dataset.api, hub: script.dataset.hub, scriptSrc: script.src };
  const place = () => {
    let host = script.dataset.target ? document.querySelector(script.dataset.target) : null;
    if (!host) {
      host = document.createElement('span');
      if (script.parentNode && script.parentNode !== document.head) {
        script.after(host);
      } else {
        document.body.append(host);
      }
    }
    window.CommsInbox.instance = mount(host, options);
  };
  if (document.readyState === 'loading' && (!script.parentNode || script.parentNode === document.head || script.dataset.target)) {
    document.addEventListener('DOMContentLoaded', place);
  } else {
    place();
  }
})(document.currentScript);
