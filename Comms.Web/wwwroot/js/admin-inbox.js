// The operator inbox list (/admin/inbox): live. The console's hub path (the cookie session, SysOperator) pushes
// `inboxChanged` for every new mail, assignment, reply, close and reopen; the list is then fetched again (the same URL:
// same filter and page) and swapped in. Nothing is rendered from the push itself.
(() => {
  'use strict';
  const status = document.getElementById('inbox-live');
  const list = document.getElementById('inbox-list');
  if (!status || !list || typeof signalR === 'undefined') {
    return;
  }

  let pending = null;
  const refresh = async () => {
    const response = await fetch(window.location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
    if (!response.ok) {
      return;
    }
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = doc.getElementById('inbox-list');
    if (fresh) {
      list.replaceChildren(...Array.from(fresh.childNodes).map(node => document.importNode(node, true)));
      status.textContent = 'Updated ' + new Date().toISOString().substring(11, 19) + ' UTC.';
    }
  };

  const hub = new signalR.HubConnectionBuilder()
    .withUrl(status.dataset.hub)
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  hub.on('inboxChanged', () => {
    // Bursts of changes: one fetch.
    if (pending === null) {
      pending = setTimeout(() => { pending = null; refresh(); }, 150);
    }
  });
  hub.onreconnected(() => refresh());
  hub.start()
    .then(() => { status.textContent = 'Live: new mail appears here.'; list.dataset.live = 'true'; document.body.dataset.inboxLive = 'true'; })
    .catch(() => { status.textContent = 'Not live: reload the page to see new mail.'; });
})();
