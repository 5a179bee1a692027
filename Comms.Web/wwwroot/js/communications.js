// The Communications page's compose form: asks the server for the live recipient count whenever the audience changes.
// Registered as an Alpine component (the CSP build evaluates no inline expressions).
document.addEventListener('alpine:init', () => {
    window.Alpine.data('compose', () => ({
        count: null,
        noun: 'recipients',
        init() {
            const initial = this.$root.querySelector('[data-testid="recipient-count"] span');
            this.count = initial ? Number(initial.textContent) : 0;
            this.noun = this.count === 1 ? 'recipient' : 'recipients';
        },
        async audienceChanged(event) {
            const url = new URL(this.$root.dataset.countUrl, window.location.origin);
            url.searchParams.set('audience', event.target.value);
            const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
            if (response.ok) {
                const body = await response.json();
                this.count = body.count;
                this.noun = body.count === 1 ? 'recipient' : 'recipients';
            }
        },
    }));
});
