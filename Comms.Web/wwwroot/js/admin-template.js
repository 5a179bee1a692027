// The template editor's live preview: after each pause in typing, posts the form (with its antiforgery token) to the
// page's Preview handler, which renders it on the server exactly as routing would, and shows the result as text.
(() => {
    const form = document.getElementById('template-form');
    if (!form) {
        return;
    }

    let timer = null;
    const problem = document.querySelector('[data-testid="preview-problem"]');

    async function preview() {
        // A reading operator's fields are disabled, which FormData leaves out: the preview renders them all the same.
        const data = new FormData(form);
        for (const field of form.querySelectorAll('[name]:disabled')) {
            data.append(field.name, field.value);
        }

        const response = await fetch(form.dataset.previewUrl, { method: 'POST', body: data, credentials: 'same-origin' });
        if (!response.ok) {
            return;
        }

        const answer = await response.json();
        // The schema's problem, as Save would report it, next to its field.
        const schema = document.getElementById('tf-schema');
        const schemaError = document.getElementById('tf-schema-error');
        if (schema && schemaError) {
            schemaError.textContent = answer.schemaProblem ?? '';
            schema.classList.toggle('is-invalid', Boolean(answer.schemaProblem));
            if (answer.schemaProblem) {
                return;
            }
        }

        problem.textContent = answer.problem ?? '';
        problem.classList.toggle('d-none', !answer.problem);
        const content = answer.content ?? {};
        for (const field of ['subject', 'title', 'text', 'body', 'html', 'json']) {
            const target = document.querySelector(`[data-testid="preview-${field}"]`);
            if (target) {
                target.textContent = content[field] ?? '';
            }
        }
    }

    form.addEventListener('input', event => {
        if (event.target.matches('[data-preview-input]')) {
            window.clearTimeout(timer);
            timer = window.setTimeout(preview, 300);
        }
    });
    preview();
})();
