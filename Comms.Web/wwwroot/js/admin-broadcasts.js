// The broadcast composer (/admin/broadcasts/...): "N recipients will receive this" as the audience changes. The count
// comes from the page's AudienceCount handler (the API's own audience counting); nothing else is sent.
(() => {
  'use strict';
  const form = document.querySelector('form[data-count-url]');
  const output = form && form.querySelector('[data-testid=audience-count]');
  if (!form || !output) {
    return;
  }

  let timer = null;
  let sequence = 0;
  const count = async () => {
    const mine = ++sequence;
    const kind = form.querySelector('input[name="Form.AudienceKind"]:checked');
    const query = new URLSearchParams({
      kind: kind ? kind.value : 'all',
      tenants: form.querySelector('[name="Form.Tenants"]').value,
      roles: form.querySelector('[name="Form.Roles"]').value,
    });
    const url = form.dataset.countUrl + (form.dataset.countUrl.includes('?') ? '&' : '?') + query.toString();
    const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (mine !== sequence) {
      return;
    }
    const answer = response.ok ? await response.json() : null;
    output.textContent = !answer ? 'The audience could not be counted.'
      : answer.error ? answer.error
      : `${answer.recipients.toLocaleString('en')} recipient${answer.recipients === 1 ? '' : 's'} will receive this`
        + ` (in ${answer.tenants} tenant${answer.tenants === 1 ? '' : 's'}).`;
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(count, 250);
  };
  form.querySelectorAll('[name="Form.AudienceKind"], [name="Form.Tenants"], [name="Form.Roles"]').forEach(input => {
    input.addEventListener('input', later);
    input.addEventListener('change', later);
  });
  count();
})();

// A sending broadcast's page: the progress table follows the send (polled every 2 s from the page's Progress handler);
// when the status changes the page reloads, so that its buttons match.
(() => {
  'use strict';
  const table = document.querySelector('table[data-progress-url]');
  if (!table || table.dataset.status !== 'sending') {
    return;
  }

  const fields = { queued: 'progress-queued', sent: 'progress-sent', failed: 'progress-failed', suppressed: 'progress-suppressed', cancelled: 'progress-cancelled' };
  const tick = async () => {
    const response = await fetch(table.dataset.progressUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.ok) {
      const answer = await response.json();
      if (answer.status !== table.dataset.status) {
        window.location.reload();
        return;
      }
      Object.entries(answer.progress || {}).forEach(([channel, counts]) => {
        const row = table.querySelector(`tr[data-channel="${channel}"]`);
        if (row) {
          Object.entries(fields).forEach(([field, testId]) => {
            const cell = row.querySelector(`[data-testid="${testId}"]`);
            if (cell) {
              cell.textContent = String(counts[field]);
            }
          });
        }
      });
    }
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
})();
