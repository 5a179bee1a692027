namespace Comms.Core.Data.Migrations
{
    /// <summary>
    /// The raw SQL of <see cref="PartitionedDeliveryRecords"/>: messages, message_renders, decisions and inbox_items become
    /// tables partitioned by month on created_at (SPEC S11 retention drops whole months). Each table is rebuilt: the old one
    /// is renamed, a partitioned one made LIKE it, partitions created for every month that holds data (up to ten years back;
    /// older rows go to the DEFAULT partition) and three months ahead, the rows copied, the old table dropped, and the
    /// keys, indexes and triggers created again on the new one. A primary key of a partitioned table must include the
    /// partition key, so the keys are (id, created_at) and (message_id, created_at).
    /// </summary>
    public partial class PartitionedDeliveryRecords
    {
        private static class PartitionSql
        {
            private static readonly string[] Tables = ["messages", "message_renders", "decisions", "inbox_items"];

            public static string Up => $$"""
                -- The month partition of a partitioned table (named <table>_pYYYY_MM, bounds in UTC); false when it exists.
                -- The retention job calls it too, to keep partitions made ahead of time.
                CREATE FUNCTION comms_month_partition(parent text, month date) RETURNS boolean LANGUAGE plpgsql AS $$
                DECLARE
                    first date := date_trunc('month', month)::date;
                    partition text := format('%s_p%s', parent, to_char(first, 'YYYY_MM'));
                BEGIN
                    IF to_regclass(partition) IS NOT NULL THEN
                        RETURN false;
                    END IF;
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', partition, parent,
                        to_char(first, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(first + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
                    RETURN true;
                END $$;

                -- SPEC S2 idempotency of messages, which can no longer have a unique index without created_at: the key is
                -- claimed in message_keys, and a message whose key exists is skipped (as ON CONFLICT DO NOTHING did).
                CREATE FUNCTION messages_idempotency() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO message_keys (template_name, template_version, recipient_id, cause_ref, channel, message_id, tenant_id, created_at)
                    VALUES (NEW.template_name, NEW.template_version, NEW.recipient_id, NEW.cause_ref, NEW.channel, NEW.id, NEW.tenant_id, NEW.created_at)
                    ON CONFLICT DO NOTHING;
                    IF NOT FOUND THEN
                        RETURN NULL;
                    END IF;
                    RETURN NEW;
                END $$;

                INSERT INTO message_keys (template_name, template_version, recipient_id, cause_ref, channel, message_id, tenant_id, created_at)
                SELECT template_name, template_version, recipient_id, cause_ref, channel, id, tenant_id, created_at FROM messages
                ON CONFLICT DO NOTHING;

                ALTER TABLE decisions ALTER COLUMN id DROP IDENTITY;
                {{string.Concat(Tables.Select(t => $"""
                    ALTER TABLE {t} RENAME TO {t}_unpartitioned;
                    CREATE TABLE {t} (LIKE {t}_unpartitioned INCLUDING DEFAULTS INCLUDING STORAGE) PARTITION BY RANGE (created_at);
                    CREATE TABLE {t}_default PARTITION OF {t} DEFAULT;

                    """))}}
                ALTER TABLE decisions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;

                DO $$
                DECLARE
                    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
                    month date;
                BEGIN
                    SELECT date_trunc('month', min(oldest) AT TIME ZONE 'UTC')::date INTO month
                      FROM (SELECT min(created_at) AS oldest FROM messages_unpartitioned
                            UNION ALL SELECT min(created_at) FROM message_renders_unpartitioned
                            UNION ALL SELECT min(created_at) FROM decisions_unpartitioned
                            UNION ALL SELECT min(created_at) FROM inbox_items_unpartitioned) o;
                    month := GREATEST(LEAST(COALESCE(month, this_month), this_month), (this_month - interval '120 months')::date);
                    WHILE month <= this_month + interval '3 months' LOOP
                        {{string.Concat(Tables.Select(t => $"PERFORM comms_month_partition('{t}', month);\n"))}}
                        month := month + interval '1 month';
                    END LOOP;
                END $$;

                {{string.Concat(Tables.Select(t => $"""
                    INSERT INTO {t} {(t == "decisions" ? "OVERRIDING SYSTEM VALUE " : "")}SELECT * FROM {t}_unpartitioned;
                    DROP TABLE {t}_unpartitioned;

                    """))}}
                SELECT setval(pg_get_serial_sequence('decisions', 'id'), COALESCE((SELECT max(id) FROM decisions), 0) + 1, false);

                ALTER TABLE messages ADD CONSTRAINT pk_messages PRIMARY KEY (id, created_at);
                CREATE INDEX ix_messages_event_id ON messages (event_id);
                CREATE INDEX ix_messages_leased ON messages (channel, lease_until) WHERE status = 'queued' AND lease_until IS NOT NULL;
                CREATE INDEX ix_messages_provider_message_id ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;
                CREATE INDEX ix_messages_queued_due ON messages (channel, due_at) WHERE status = 'queued';
                CREATE INDEX ix_messages_recipient_id_created_at ON messages (recipient_id, created_at);
                CREATE INDEX ix_messages_tenant_id_id ON messages (tenant_id, id);
                -- Retention's batch deletes find a tenant's oldest rows.
                CREATE INDEX ix_messages_tenant_id_created_at ON messages (tenant_id, created_at);
                CREATE TRIGGER messages_idempotency BEFORE INSERT ON messages
                    FOR EACH ROW EXECUTE FUNCTION messages_idempotency();
                CREATE TRIGGER messages_status_webhooks AFTER UPDATE OF status ON messages
                    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION messages_status_webhooks();

                ALTER TABLE message_renders ADD CONSTRAINT pk_message_renders PRIMARY KEY (message_id, created_at);
                CREATE INDEX ix_message_renders_tenant_id_created_at ON message_renders (tenant_id, created_at);
                CREATE TRIGGER message_renders_immutable BEFORE UPDATE ON message_renders
                    FOR EACH ROW EXECUTE FUNCTION comms_reject_update();

                ALTER TABLE decisions ADD CONSTRAINT pk_decisions PRIMARY KEY (id, created_at);
                CREATE INDEX ix_decisions_event_id_id ON decisions (event_id, id);
                CREATE INDEX ix_decisions_tenant_id_recipient_id_created_at ON decisions (tenant_id, recipient_id, created_at);
                CREATE INDEX ix_decisions_tenant_id_created_at ON decisions (tenant_id, created_at);
                CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions
                    FOR EACH ROW EXECUTE FUNCTION comms_reject_update();

                ALTER TABLE inbox_items ADD CONSTRAINT pk_inbox_items PRIMARY KEY (id, created_at);
                CREATE INDEX ix_inbox_items_message_id ON inbox_items (message_id);
                CREATE INDEX ix_inbox_items_recipient_id_created_at_id ON inbox_items (recipient_id, created_at DESC, id DESC);
                CREATE INDEX ix_inbox_items_unread ON inbox_items (recipient_id, created_at DESC, id DESC) INCLUDE (seen_at)
                    WHERE read_at IS NULL AND archived_at IS NULL;
                CREATE INDEX ix_inbox_items_tenant_id_created_at ON inbox_items (tenant_id, created_at);
                """;

            public static string Down => $$"""
                ALTER TABLE decisions ALTER COLUMN id DROP IDENTITY;
                {{string.Concat(Tables.Select(t => $"""
                    ALTER TABLE {t} RENAME TO {t}_partitioned;
                    CREATE TABLE {t} (LIKE {t}_partitioned INCLUDING DEFAULTS INCLUDING STORAGE);
                    INSERT INTO {t} SELECT * FROM {t}_partitioned;
                    DROP TABLE {t}_partitioned;

                    """))}}
                ALTER TABLE decisions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
                SELECT setval(pg_get_serial_sequence('decisions', 'id'), COALESCE((SELECT max(id) FROM decisions), 0) + 1, false);
                DROP FUNCTION messages_idempotency();
                DROP FUNCTION comms_month_partition(text, date);

                ALTER TABLE messages ADD CONSTRAINT pk_messages PRIMARY KEY (id);
                CREATE UNIQUE INDEX ux_messages_idempotency ON messages (template_name, template_version, recipient_id, cause_ref, channel);
                CREATE INDEX ix_messages_event_id ON messages (event_id);
                CREATE INDEX ix_messages_leased ON messages (channel, lease_until) WHERE status = 'queued' AND lease_until IS NOT NULL;
                CREATE INDEX ix_messages_provider_message_id ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;
                CREATE INDEX ix_messages_queued_due ON messages (channel, due_at) WHERE status = 'queued';
                CREATE INDEX ix_messages_recipient_id_created_at ON messages (recipient_id, created_at);
                CREATE INDEX ix_messages_tenant_id_id ON messages (tenant_id, id);
                CREATE TRIGGER messages_status_webhooks AFTER UPDATE OF status ON messages
                    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION messages_status_webhooks();

                ALTER TABLE message_renders ADD CONSTRAINT pk_message_renders PRIMARY KEY (message_id);
                ALTER TABLE message_renders ADD CONSTRAINT fk_message_renders_messages_message_id
                    FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE;
                CREATE TRIGGER message_renders_immutable BEFORE UPDATE ON message_renders
                    FOR EACH ROW EXECUTE FUNCTION comms_reject_update();

                ALTER TABLE decisions ADD CONSTRAINT pk_decisions PRIMARY KEY (id);
                CREATE INDEX ix_decisions_event_id_id ON decisions (event_id, id);
                CREATE INDEX ix_decisions_tenant_id_recipient_id_created_at ON decisions (tenant_id, recipient_id, created_at);
                CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions
                    FOR EACH ROW EXECUTE FUNCTION comms_reject_update();

                ALTER TABLE inbox_items ADD CONSTRAINT pk_inbox_items PRIMARY KEY (id);
                CREATE UNIQUE INDEX ix_inbox_items_message_id ON inbox_items (message_id);
                CREATE INDEX ix_inbox_items_recipient_id_created_at_id ON inbox_items (recipient_id, created_at DESC, id DESC);
                CREATE INDEX ix_inbox_items_unread ON inbox_items (recipient_id, created_at DESC, id DESC) INCLUDE (seen_at)
                    WHERE read_at IS NULL AND archived_at IS NULL;
                """;
        }
    }
}
