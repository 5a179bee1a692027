// The template editor's variables: a table (name, type, required, description, format and allowed values for
// strings) kept in sync with the JSON Schema text area, which stays the authority: the table writes the text on every
// change; the text, edited by hand, is read back into the table when the table can show it — otherwise the table says
// so and locks until the text is simple again. The sample payload gets a value for every variable it lacks, so the live
// preview (admin-template.js) renders with them. An Alpine component (the CSP build: no inline expressions).
(() => {
    const types = ['string', 'number', 'integer', 'boolean', 'object', 'array'];
    const topKeys = ['$schema', 'type', 'properties', 'required', 'additionalProperties'];
    const propertyKeys = ['type', 'description', 'format', 'enum'];
    let nextKey = 1;
    let writing = false;
    const filled = {};
    const schemaArea = () => document.getElementById('tf-schema');
    const sampleArea = () => document.getElementById('tf-sample');

    function row(name, definition, required) {
        const type = definition.type ?? 'string';
        return {
            key: nextKey++,
            name,
            type,
            required,
            description: definition.description ?? '',
            format: definition.format ?? '',
            enumText: (definition.enum ?? []).join(', '),
            notString: type !== 'string',
        };
    }

    // The rows of a schema text, or the reason the table cannot show it.
    function parse(text) {
        if (!text.trim()) {
            return { rows: [], extras: {} };
        }

        let schema;
        try {
            schema = JSON.parse(text);
        } catch {
            return { problem: 'The schema text is not valid JSON yet; the table shows it once it is.' };
        }

        if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
            return { problem: 'The schema text is not a JSON object; the table cannot show it.' };
        }

        const unknown = Object.keys(schema).filter(k => !topKeys.includes(k));
        if (unknown.length > 0 || (schema.type !== undefined && schema.type !== 'object')) {
            return { problem: `The schema uses ${unknown.length > 0 ? unknown.join(', ') : 'a type other than object'} at its top, which the table cannot show: edit the text (it is what is saved).` };
        }

        const properties = schema.properties ?? {};
        const required = Array.isArray(schema.required) ? schema.required : [];
        const rows = [];
        for (const [name, definition] of Object.entries(properties)) {
            const extra = definition && typeof definition === 'object' ? Object.keys(definition).filter(k => !propertyKeys.includes(k)) : ['(not an object)'];
            const simple = extra.length === 0
                && (definition.type === undefined || types.includes(definition.type))
                && (definition.enum === undefined || (Array.isArray(definition.enum) && definition.enum.every(v => typeof v === 'string')))
                && ((definition.format === undefined && definition.enum === undefined) || (definition.type ?? 'string') === 'string');
            if (!simple) {
                return { problem: `The variable '${name}' uses ${extra.length > 0 ? extra.join(', ') : 'a type or values'} that the table cannot show: edit the text (it is what is saved).` };
            }

            rows.push(row(name, definition, required.includes(name)));
        }

        const extras = {};
        for (const key of ['$schema', 'additionalProperties']) {
            if (key in schema) {
                extras[key] = schema[key];
            }
        }

        return { rows, extras };
    }

    function write(rows, extras) {
        const named = rows.filter(r => r.name.trim());
        if (named.length === 0 && Object.keys(extras).length === 0) {
            return '';
        }

        const schema = { ...('$schema' in extras ? { $schema: extras.$schema } : {}), type: 'object', properties: {} };
        for (const r of named) {
            const definition = { type: r.type };
            if (r.description.trim()) {
                definition.description = r.description.trim();
            }

            if (r.type === 'string' && r.format.trim()) {
                definition.format = r.format.trim();
            }

            const values = r.type === 'string' ? r.enumText.split(',').map(v => v.trim()).filter(v => v) : [];
            if (values.length > 0) {
                definition.enum = values;
            }

            schema.properties[r.name.trim()] = definition;
        }

        const required = named.filter(r => r.required).map(r => r.name.trim());
        if (required.length > 0) {
            schema.required = required;
        }

        if ('additionalProperties' in extras) {
            schema.additionalProperties = extras.additionalProperties;
        }

        return JSON.stringify(schema, null, 2);
    }

    const samples = {
        email: 'ann@example.com',
        uri: 'https://example.com/',
        date: new Date().toISOString().slice(0, 10),
        'date-time': new Date().toISOString(),
        uuid: '00000000-0000-4000-8000-000000000000',
    };

    function sample(r) {
        switch (r.type) {
            case 'number': return 1.5;
            case 'integer': return 1;
            case 'boolean': return true;
            case 'object': return {};
            case 'array': return [];
            default: {
                const values = r.enumText.split(',').map(v => v.trim()).filter(v => v);
                return values[0] ?? samples[r.format.trim()] ?? `Example ${r.name.trim()}`;
            }
        }
    }

    document.addEventListener('alpine:init', () => {
        window.Alpine.data('variablesEditor', () => ({
            rows: [],
            extras: {},
            problem: '',
            duplicate: '',
            locked: false,
            readOnly: false,
            init() {
                this.readOnly = schemaArea().disabled;
                this.read();
                this.prefill();
                schemaArea().addEventListener('input', () => {
                    if (!writing) {
                        this.read();
                        this.prefill();
                    }
                });
            },
            read() {
                const parsed = parse(schemaArea().value);
                this.problem = parsed.problem ?? '';
                this.locked = this.readOnly || Boolean(parsed.problem);
                if (!parsed.problem) {
                    this.rows = parsed.rows;
                    this.extras = parsed.extras;
                }
            },
            // Writes the table into the text (and tells the preview, which listens to the form's input events).
            changed() {
                const names = this.rows.map(r => r.name.trim()).filter(n => n);
                const twice = names.find((n, i) => names.indexOf(n) !== i);
                this.duplicate = twice ? `Two variables are named '${twice}': only the last one is kept.` : '';
                writing = true;
                try {
                    schemaArea().value = write(this.rows, this.extras);
                    schemaArea().dispatchEvent(new Event('input', { bubbles: true }));
                } finally {
                    writing = false;
                }

                this.prefill();
            },
            // Gives the sample payload a value for every variable it lacks (values already there are kept).
            prefill() {
                if (this.problem) {
                    return;
                }

                const area = sampleArea();
                let payload;
                try {
                    payload = area.value.trim() ? JSON.parse(area.value) : {};
                } catch {
                    return;
                }

                if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
                    return;
                }

                // Values this editor put there for names that are gone (e.g. "fir" while "first_name" was typed) go,
                // unless someone changed them since.
                const names = new Set(this.rows.map(r => r.name.trim()).filter(n => n));
                let touched = false;
                for (const [name, value] of Object.entries(filled)) {
                    if (!names.has(name) && name in payload && JSON.stringify(payload[name]) === value) {
                        delete payload[name];
                        touched = true;
                    }

                    if (!names.has(name)) {
                        delete filled[name];
                    }
                }

                // Missing values are added; values this editor added and nobody changed follow the variable's type.
                const stale = r => filled[r.name.trim()] !== undefined && JSON.stringify(payload[r.name.trim()]) === filled[r.name.trim()]
                    && JSON.stringify(sample(r)) !== filled[r.name.trim()];
                for (const r of this.rows.filter(r => r.name.trim() && (!(r.name.trim() in payload) || stale(r)))) {
                    payload[r.name.trim()] = sample(r);
                    filled[r.name.trim()] = JSON.stringify(payload[r.name.trim()]);
                    touched = true;
                }

                if (!touched) {
                    return;
                }

                area.value = JSON.stringify(payload, null, 2);
                area.dispatchEvent(new Event('input', { bubbles: true }));
            },
            rowOf(event) {
                const line = event.target.closest('tr');
                return this.rows[Array.from(line.parentElement.querySelectorAll('tr')).indexOf(line)];
            },
            add() {
                this.rows.push(row('', { type: 'string' }, false));
                this.$nextTick(() => {
                    const names = this.$root.querySelectorAll('[data-field="name"]');
                    names[names.length - 1]?.focus();
                });
            },
            remove(event) {
                const target = this.rowOf(event);
                this.rows = this.rows.filter(r => r !== target);
                this.changed();
            },
            update(event) {
                const target = this.rowOf(event);
                const field = event.target.dataset.field;
                target[field] = event.target.type === 'checkbox' ? event.target.checked : event.target.value;
                target.notString = target.type !== 'string';
                this.changed();
            },
        }));
    });
})();
