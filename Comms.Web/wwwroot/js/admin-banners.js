// The banner template's preview: after each pause in typing, posts the form (with its antiforgery token) to the page's
// Preview handler, which renders the Markdown on the server exactly as users will get it (sanitized HTML).
(() => {
    const form = document.getElementById('banner-template-form');
    if (!form) {
        return;
    }

    let timer = null;
    const target = document.querySelector('[data-testid="banner-preview"]');

    async function preview() {
        const response = await fetch(form.dataset.previewUrl, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
        if (response.ok) {
            // Sanitized on the server (Comms.Core MarkdownRenderer); the page's CSP stops any script regardless.
            target.innerHTML = (await response.json()).html ?? '';
        }
    }

    form.addEventListener('input', event => {
        if (event.target.matches('[data-preview-input]')) {
            window.clearTimeout(timer);
            timer = window.setTimeout(preview, 300);
        }
    });
})();
