// The operations dashboard: every 5 seconds reads the figures again (/admin?handler=figures, JSON) and updates the
// table, the alerts, the chart and the provider health panel in place. No inline script: the page's CSP allows scripts from this origin only.
(() => {
    const root = document.getElementById('dashboard');
    if (!root) {
        return;
    }

    const canvas = document.getElementById('throughput');
    const rows = () => Array.from(root.querySelectorAll('tbody tr[data-channel]'));
    const read = (row, field) => Number(row.querySelector(`[data-field="${field}"]`).textContent) || 0;
    const chart = window.Chart && canvas ? new window.Chart(canvas, {
        type: 'bar',
        data: {
            labels: rows().map(r => r.dataset.channel),
            datasets: [
                { label: 'Sent (last hour)', data: rows().map(r => read(r, 'sent')), backgroundColor: '#198754' },
                { label: 'Failed (last hour)', data: rows().map(r => read(r, 'failed')), backgroundColor: '#dc3545' },
                { label: 'Queued', data: rows().map(r => read(r, 'queued')), backgroundColor: '#0d6efd' },
            ],
        },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    }) : null;

    function render(figures) {
        for (const line of figures.channels) {
            const row = root.querySelector(`tbody tr[data-channel="${line.channel}"]`);
            if (!row) {
                continue;
            }

            for (const field of ['queued', 'oldestWait', 'deferred', 'sent', 'failed', 'suppressed']) {
                row.querySelector(`[data-field="${field}"]`).textContent = String(line[field]);
            }
        }

        const list = document.querySelector('[data-testid="alerts"]');
        list.replaceChildren(...figures.alerts.map(alert => {
            const item = document.createElement('li');
            item.className = 'alert alert-danger py-2 mb-2';
            item.dataset.kind = alert.kind;
            item.textContent = alert.message;
            return item;
        }));
        document.querySelector('[data-testid="no-alerts"]').classList.toggle('d-none', figures.alerts.length > 0);

        renderProviders(figures);

        if (chart) {
            chart.data.datasets[0].data = figures.channels.map(c => c.sent);
            chart.data.datasets[1].data = figures.channels.map(c => c.failed);
            chart.data.datasets[2].data = figures.channels.map(c => c.queued);
            chart.update();
        }
    }

    const badges = { closed: 'text-bg-success', 'half-open': 'text-bg-warning' };
    const providerCanvas = document.getElementById('provider-chart');
    const providerRows = () => Array.from(document.querySelectorAll('[data-testid="provider-throughput"] tbody tr'));
    const providerChart = window.Chart && providerCanvas ? new window.Chart(providerCanvas, {
        type: 'bar',
        data: {
            labels: providerRows().map(r => r.querySelector('th').textContent),
            datasets: [
                { label: 'Accepted (last hour)', data: providerRows().map(r => read(r, 'accepted')), backgroundColor: '#198754' },
                { label: 'Rejected', data: providerRows().map(r => read(r, 'rejected')), backgroundColor: '#6c757d' },
                { label: 'Failed', data: providerRows().map(r => read(r, 'failed')), backgroundColor: '#dc3545' },
                { label: 'Held', data: providerRows().map(r => read(r, 'held')), backgroundColor: '#fd7e14' },
            ],
        },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    }) : null;

    function cell(tag, text, className) {
        const element = document.createElement(tag);
        element.textContent = text;
        if (className) {
            element.className = className;
        }

        return element;
    }

    // The provider panel: rows come and go with the dispatchers' breakers, so both tables are rebuilt.
    function renderProviders(figures) {
        const problem = document.querySelector('[data-testid="providers-problem"]');
        problem.textContent = figures.providerProblem ?? '';
        problem.classList.toggle('d-none', !figures.providerProblem);

        const breakers = document.querySelector('[data-testid="breakers"] tbody');
        breakers.replaceChildren(...figures.breakers.map(b => {
            const row = document.createElement('tr');
            row.dataset.testid = 'breaker';
            row.dataset.provider = b.provider;
            row.dataset.dispatcher = b.dispatcher;
            const name = cell('th', b.name);
            name.scope = 'row';
            const state = cell('td', '');
            const badge = cell('span', b.state, `badge ${badges[b.state] ?? 'text-bg-danger'}`);
            badge.dataset.field = 'state';
            state.append(badge);
            row.append(name, state, cell('td', b.since), cell('td', b.dispatcher, 'font-monospace small'), cell('td', b.lastFailure ?? '—'));
            return row;
        }));
        document.querySelector('[data-testid="no-breakers"]').classList.toggle('d-none', figures.breakers.length > 0);

        const throughput = document.querySelector('[data-testid="provider-throughput"] tbody');
        if (throughput) {
            throughput.replaceChildren(...figures.providers.map(p => {
                const row = document.createElement('tr');
                row.dataset.testid = `provider-${p.provider}`;
                const name = cell('th', p.provider);
                name.scope = 'row';
                row.append(name);
                for (const field of ['accepted', 'rejected', 'failed', 'held']) {
                    const value = cell('td', String(p[field]), 'text-end');
                    value.dataset.field = field;
                    row.append(value);
                }

                return row;
            }));
        }

        if (providerChart) {
            providerChart.data.labels = figures.providers.map(p => p.provider);
            ['accepted', 'rejected', 'failed', 'held'].forEach((field, i) => {
                providerChart.data.datasets[i].data = figures.providers.map(p => p[field]);
            });
            providerChart.update();
        }
    }

    async function refresh() {
        try {
            const response = await fetch(root.dataset.figuresUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
            if (response.ok) {
                render(await response.json());
            }
        } finally {
            window.setTimeout(refresh, 5000);
        }
    }

    window.setTimeout(refresh, 5000);
})();
