// The notification center island: an Alpine store fed by the first page rendered on the server,
// then kept live by the SignalR hub. After a reconnect it catches up from its newest cursor.
(() => {
  'use strict';

  const initial = JSON.parse(document.getElementById('inbox-initial').textContent);
  const antiforgery = () => document.querySelector('input[name="__RequestVerificationToken"]')?.value ?? '';

  async function post(url) {
    const response = await fetch(url, { method: 'POST', headers: { 'RequestVerificationToken': antiforgery() } });
    return response.ok ? response.json() : null;
  }

  document.addEventListener('alpine:init', () => {
    // Alpine's CSP build has no x-html. An item's body is HTML that the server rendered from Markdown and
    // sanitized (Comms.Core MarkdownRenderer); the page's CSP stops any script in it from running regardless.
    Alpine.directive('body-html', (el, { expression }, { effect, evaluateLater }) => {
      const body = evaluateLater(expression);
      effect(() => body(value => { el.innerHTML = value ?? ''; }));
    });

    const store = {
      items: initial.items,
      unread: initial.unread,
      unseen: initial.unseen,
      connection: 'connecting',
      announcement: '',

      // What the connection indicator says, for people and for screen readers.
      get connectionLabel() {
        return {
          connecting: 'Connecting…',
          live: 'Live',
          reconnecting: 'Reconnecting…',
          offline: 'Offline — reload to reconnect',
        }[this.connection] ?? this.connection;
      },

      add(item) {
        if (this.items.some(existing => existing.id === item.id)) {
          return;
        }
        this.items.unshift(item);
        this.items.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
        this.announcement = `New notification: ${item.title}`;
      },

      setCounts(counts) {
        this.unread = counts.unread;
        this.unseen = counts.unseen;
      },

      async markRead(item) {
        const counts = await post(`/app/notifications/${item.id}/read`);
        if (counts) {
          item.readAt = new Date().toISOString();
          this.setCounts(counts);
        }
      },

      async readAll() {
        const counts = await post('/app/notifications/read-all');
        if (counts) {
          const now = new Date().toISOString();
          this.items.forEach(item => { item.readAt ??= now; });
          this.setCounts(counts);
        }
      },

      async catchUp() {
        const newest = this.items[0]?.cursor;
        const response = await fetch('/app/notifications' + (newest ? `?after=${encodeURIComponent(newest)}` : ''));
        if (!response.ok) {
          return;
        }
        const page = await response.json();
        page.items.slice().reverse().forEach(item => this.add(item));
        this.setCounts(page);
      },

      when(iso) {
        const date = new Date(iso);
        return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      },
    };
    Alpine.store('inbox', store);

    const connection = new signalR.HubConnectionBuilder()
      // Same origin: the session cookie authenticates the connection (no token in script or URL).
      .withUrl('/hubs/notifications')
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: context => Math.min(1000 * 2 ** context.previousRetryCount, 15000) })
      .build();

    const live = Alpine.store('inbox');
    connection.on('notificationReceived', item => live.add(item));
    connection.on('unreadCountChanged', counts => live.setCounts(counts));
    connection.onreconnecting(() => { live.connection = 'reconnecting'; });
    connection.onreconnected(async () => { live.connection = 'live'; await live.catchUp(); });
    connection.onclose(() => { live.connection = 'offline'; });

    (async function start() {
      try {
        await connection.start();
        live.connection = 'live';
        // Anything that arrived between the page render and the connection is fetched now.
        await live.catchUp();
      } catch {
        live.connection = 'offline';
        setTimeout(start, 3000);
      }
    })();
  });
})();
