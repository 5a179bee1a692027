// The inbox core, shared by the notification center page and the embeddable widget (/widget/inbox.js): the list
// (newest first), the counts, and keeping both right live and without losing anything.
//
// - Live: notificationReceived, notificationChanged and unreadCountChanged from the hub. Counts carry the database's
//   time (asOf) and changes theirs (at), so a push that arrives late never undoes a newer one.
// - Loss-free: `syncCursor` is the cursor up to which the client has every item. It moves with catch-up pages and
//   with pushes whose previousCursor is exactly it (a push that skipped one waits in `pending` until the gap is
//   filled). After a (re)connect the client asks `after=syncCursor` page by page until hasNewer is false, then
//   refreshes the first page (states changed meanwhile) — a disconnect of any length loses nothing.
//
// It has no dependencies: the caller gives it a transport (how to call the API) and the SignalR library. In the
// widget's bundle `window` here is a private object, so only `window.CommsInboxCore = ...` may use it.
(function () {
  'use strict';

  // ISO 8601 times from .NET have up to 7 fractional digits; Date keeps milliseconds. Compare them exactly.
  function timeKey(iso) {
    const match = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(iso || '');
    return match ? [Date.parse(match[1] + (match[3] || 'Z')), (match[2] || '').padEnd(7, '0')] : [0, ''];
  }

  function compareTimes(a, b) {
    const x = timeKey(a);
    const y = timeKey(b);
    return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
  }

  // A Date of such a time (to the millisecond).
  function toDate(iso) {
    const match = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(iso || '');
    return match ? new Date(match[1] + '.' + (match[2] || '').padEnd(3, '0').slice(0, 3) + (match[3] || 'Z')) : new Date(iso);
  }

  // Newest first, as the server orders them: (createdAt, id) descending; ids are lower-case UUIDs.
  function compareItems(a, b) {
    return compareTimes(b.createdAt, a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  }

  // An item's link as a safe absolute URL, or null: only http, https and relative references (a path, a query, a
  // fragment) are links. Checked on what the browser's own URL parser makes of it (which strips the tabs and
  // newlines that hide `java\tscript:`), so what is checked is what would be followed.
  function safeLink(raw, base) {
    if (typeof raw !== 'string' || raw.trim() === '') {
      return null;
    }
    const compact = raw.replace(/[\u0000-\u0020]/g, '');
    const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(compact);
    if (!hasScheme && (compact.startsWith('//') || compact.includes('\\'))) {
      return null; // another host without a scheme, or backslashes browsers read as slashes
    }
    let url;
    try {
      url = new URL(raw, base);
    } catch {
      return null;
    }
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  }

  function createInbox(options) {
    const transport = options.transport;
    const pageSize = options.pageSize || 50;
    const listeners = [];
    const byId = new Map();
    const changedAt = new Map();
    const pending = new Map();
    let items = [];
    let syncing = null;
    let again = false;
    let retry = null;
    let hub = null;

    const inbox = {
      items: () => items,
      unread: 0,
      unseen: 0,
      asOf: '',
      olderCursor: null,
      syncCursor: null,
      connection: 'connecting',
      announcement: '',

      subscribe(listener) {
        listeners.push(listener);
      },

      // The first page, from the server's render or a fetch.
      load(page) {
        items = [];
        byId.clear();
        page.items.forEach(upsert);
        inbox.olderCursor = page.nextCursor;
        inbox.syncCursor = page.newerCursor;
        advance();
        setCounts(page);
        if (page.hasNewer) {
          sync();
        }
        changed();
      },

      async start() {
        if (inbox.syncCursor === null) {
          inbox.load(await transport.list({ limit: pageSize }));
        }
      },

      // A push: shown at once; the sync cursor moves only over an unbroken chain of items.
      received(item) {
        upsert(item);
        inbox.announcement = 'New notification: ' + item.title;
        if (item.previousCursor) {
          pending.set(item.previousCursor, item);
          advance();
        }
        changed();
      },

      // notificationChanged: one item's new state, or read_all up to a time.
      changedRemotely(change) {
        if (change.change === 'read_all') {
          items.forEach(item => {
            if (!item.readAt && (!change.category || item.category === change.category) && compareTimes(item.createdAt, change.upTo) <= 0) {
              item.readAt = change.at;
              item.seenAt = item.seenAt || change.at;
            }
          });
        } else if (change.notification) {
          apply(change.notification, change.at);
        }
        changed();
      },

      countsChanged(counts) {
        setCounts(counts);
        changed();
      },

      async change(item, action) {
        const result = await transport.change(item.id, action);
        apply(result.notification, result.changedAt);
        setCounts(result);
        changed();
        return result;
      },

      markRead: item => inbox.change(item, 'read'),
      markUnread: item => inbox.change(item, 'unread'),
      archive: item => inbox.change(item, 'archive'),
      unarchive: item => inbox.change(item, 'unarchive'),

      async readAll() {
        const counts = await transport.readAll();
        const now = counts.asOf;
        items.forEach(item => { if (!item.readAt) { item.readAt = now; item.seenAt = item.seenAt || now; } });
        setCounts(counts);
        changed();
      },

      async seen() {
        if (inbox.unseen > 0) {
          setCounts(await transport.seen());
          changed();
        }
      },

      async loadOlder() {
        if (!inbox.olderCursor) {
          return;
        }
        const page = await transport.list({ before: inbox.olderCursor, limit: pageSize });
        page.items.forEach(upsert);
        inbox.olderCursor = page.nextCursor;
        setCounts(page);
        changed();
      },

      // Catch up from the sync cursor page by page until nothing is missing, then refresh the first page.
      sync,

      // Connects to the hub (SignalR library, hub URL, its HttpConnectionOptions) and stays connected: every
      // (re)connect is followed by a catch-up.
      connect(signalR, url, httpOptions, logLevel) {
        hub = new signalR.HubConnectionBuilder()
          .withUrl(url, httpOptions || {})
          .withAutomaticReconnect({ nextRetryDelayInMilliseconds: context => Math.min(500 * 2 ** context.previousRetryCount, 10000) })
          .configureLogging(logLevel === undefined ? signalR.LogLevel.Warning : logLevel)
          .build();
        hub.on('notificationReceived', item => inbox.received(item));
        hub.on('notificationChanged', change => inbox.changedRemotely(change));
        hub.on('unreadCountChanged', counts => inbox.countsChanged(counts));
        hub.onreconnecting(() => setConnection('reconnecting'));
        hub.onreconnected(() => { setConnection('live'); sync(); });
        hub.onclose(() => { setConnection('offline'); startHub(1000); });
        startHub(0);
        return hub;
      },

      async disconnect() {
        const connection = hub;
        hub = null;
        clearTimeout(retry);
        if (connection) {
          await connection.stop();
        }
      },
    };

    function startHub(delay) {
      clearTimeout(retry);
      retry = setTimeout(async () => {
        const connection = hub;
        if (!connection || connection.state !== 'Disconnected') {
          return;
        }
        try {
          await connection.start();
          setConnection('live');
          sync();
        } catch {
          setConnection('offline');
          startHub(Math.min(Math.max(delay * 2, 1000), 10000));
        }
      }, delay);
    }

    function setConnection(state) {
      inbox.connection = state;
      changed();
    }

    function changed() {
      listeners.forEach(listener => listener(inbox));
    }

    function setCounts(counts) {
      if (!inbox.asOf || !counts.asOf || compareTimes(counts.asOf, inbox.asOf) >= 0) {
        inbox.unread = counts.unread;
        inbox.unseen = counts.unseen;
        inbox.asOf = counts.asOf || inbox.asOf;
      }
    }

    // Adds an item, or takes the newer state of one already known. Archived items leave the list.
    function upsert(item) {
      if (item.archivedAt) {
        remove(item.id);
        return;
      }
      const known = byId.get(item.id);
      if (known) {
        Object.assign(known, item);
        return;
      }
      const copy = Object.assign({}, item);
      delete copy.previousCursor;
      byId.set(copy.id, copy);
      let index = items.findIndex(other => compareItems(copy, other) < 0);
      if (index < 0) {
        index = items.length;
      }
      items.splice(index, 0, copy);
    }

    function apply(state, at) {
      const last = changedAt.get(state.id);
      if (at && last && compareTimes(at, last) < 0) {
        return;
      }
      if (at) {
        changedAt.set(state.id, at);
      }
      upsert(state);
    }

    function remove(id) {
      if (byId.delete(id)) {
        items = items.filter(item => item.id !== id);
      }
    }

    // Moves the sync cursor over pushed items that continue it without a gap.
    function advance() {
      let next;
      while ((next = pending.get(inbox.syncCursor))) {
        pending.delete(inbox.syncCursor);
        inbox.syncCursor = next.cursor;
      }
      if (pending.size > 1000) {
        pending.clear(); // a long gap: the next catch-up fetches what is missing
      }
    }

    function sync() {
      if (syncing) {
        again = true;
        return syncing;
      }
      syncing = (async () => {
        try {
          do {
            again = false;
            let page;
            do {
              page = await transport.list({ after: inbox.syncCursor || undefined, limit: pageSize });
              page.items.forEach(item => { if (!byId.has(item.id)) { upsert(item); } });
              inbox.syncCursor = page.newerCursor;
              advance();
              setCounts(page);
              changed();
            } while (page.hasNewer);
            // States changed while away (read, archived elsewhere) and the counts: the first page as it is now.
            const first = await transport.list({ limit: pageSize });
            first.items.forEach(item => apply(item, first.asOf));
            // What the page's range does not hold any more was archived meanwhile.
            const shown = new Set(first.items.map(item => item.id));
            const newest = first.items[0];
            const oldest = first.items[first.items.length - 1];
            if (newest) {
              items.filter(item => !shown.has(item.id) && compareItems(item, newest) >= 0
                  && (first.nextCursor === null || compareItems(item, oldest) <= 0))
                .forEach(item => remove(item.id));
            }
            setCounts(first);
            changed();
          } while (again);
        } catch {
          // The API cannot be reached right now: try again shortly (the hub's reconnect also starts a sync).
          setTimeout(sync, 3000);
        } finally {
          syncing = null;
        }
      })();
      return syncing;
    }

    return inbox;
  }

  window.CommsInboxCore = { createInbox, compareTimes, safeLink, toDate };
})();
