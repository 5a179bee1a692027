// The notification center island: an Alpine store over the inbox core (inbox-core.js), fed by the first page
// rendered on the server, then kept live by the SignalR hub. The core catches up after every (re)connect.
(() => {
  'use strict';

  const initial = JSON.parse(document.getElementById('inbox-initial').textContent);
  const antiforgery = () => document.querySelector('input[name="__RequestVerificationToken"]')?.value ?? '';

  async function call(method, url) {
    const response = await fetch(url, { method, headers: method === 'POST' ? { 'RequestVerificationToken': antiforgery() } : {} });
    if (!response.ok) {
      throw new Error(`${method} ${url}: ${response.status}`);
    }
    return response.json();
  }

  // Same origin: the session cookie authenticates these calls and the hub connection (no token in script or URL).
  const transport = {
    list: ({ before, after, limit }) => {
      const query = new URLSearchParams();
      if (before) query.set('before', before);
      if (after) query.set('after', after);
      if (limit) query.set('limit', limit);
      return call('GET', '/app/notifications?' + query);
    },
    change: (id, action) => call('POST', `/app/notifications/${id}/${action}`),
    readAll: () => call('POST', '/app/notifications/read-all'),
    seen: () => call('POST', '/app/notifications/seen'),
  };

  document.addEventListener('alpine:init', () => {
    // Alpine's CSP build has no x-html. An item's body is HTML that the server rendered from Markdown and
    // sanitized (Comms.Core MarkdownRenderer); the page's CSP stops any script in it from running regardless.
    Alpine.directive('body-html', (el, { expression }, { effect, evaluateLater }) => {
      const body = evaluateLater(expression);
      effect(() => body(value => { el.innerHTML = value ?? ''; }));
    });

    const core = CommsInboxCore.createInbox({ transport, pageSize: 50 });

    const store = {
      items: [],
      unread: 0,
      unseen: 0,
      hasOlder: false,
      connection: 'connecting',
      announcement: '',

      // What the connection indicator says, for people and for screen readers.
      get connectionLabel() {
        return {
          connecting: 'Connecting…',
          live: 'Live',
          reconnecting: 'Reconnecting…',
          offline: 'Offline — trying again…',
        }[this.connection] ?? this.connection;
      },

      markRead: item => core.markRead(item),
      markUnread: item => core.markUnread(item),
      archive: item => core.archive(item),
      readAll: () => core.readAll(),
      loadOlder: () => core.loadOlder(),
      link: item => CommsInboxCore.safeLink(item.link, document.baseURI),

      when(iso) {
        const date = CommsInboxCore.toDate(iso);
        return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      },
    };
    Alpine.store('inbox', store);

    const live = Alpine.store('inbox');
    core.subscribe(state => {
      live.items = state.items().map(item => Object.assign({}, item));
      live.unread = state.unread;
      live.unseen = state.unseen;
      live.hasOlder = state.olderCursor !== null;
      live.connection = state.connection;
      live.announcement = state.announcement;
    });
    core.load(initial);
    // The page is the inbox opened: what it shows is seen.
    core.seen();
    const hub = core.connect(signalR, '/hubs/notifications');

    // Platform banners: fetched now, when the hub says they changed, and after every reconnect (a change may have been missed).
    const banners = {
      items: [],
      css: banner => ({ critical: 'alert-danger', warning: 'alert-warning' })[banner.severity] ?? 'alert-info',
      async refresh() {
        try {
          this.items = await call('GET', '/app/banners');
        } catch {
          // Shown again at the next change or reconnect.
        }
      },
      async dismiss(banner) {
        const response = await fetch(`/app/banners/${banner.activationId}/dismiss`, { method: 'POST', headers: { 'RequestVerificationToken': antiforgery() } });
        if (response.ok) {
          this.items = this.items.filter(b => b.activationId !== banner.activationId);
        }
      },
    };
    Alpine.store('banners', banners);
    const liveBanners = Alpine.store('banners');
    hub.on('bannersChanged', () => liveBanners.refresh());
    hub.onreconnected(() => liveBanners.refresh());
    liveBanners.refresh();
  });
})();
