using System.Text.Json;
using Comms.Core.Routing;
using Comms.Core.Templates;

namespace Comms.Core.Events;

/// <summary>Why a well-formed event is refused for this tenant (answered as 422).</summary>
public sealed record AdmissionProblem(string Code, string Title, string Detail, string Field);

/// <summary>
/// Checks a well-formed submission against the tenant's configuration — the event name has a routing
/// rule, the category exists, the payload satisfies the templates' variable schemas — and builds the
/// event row to store.
/// </summary>
public static class EventAdmission
{
    public const string UnknownEvent = "COMMS_UNKNOWN_EVENT";
    public const string UnknownCategory = "COMMS_UNKNOWN_CATEGORY";
    public const string PayloadInvalid = "COMMS_PAYLOAD_INVALID";

    public static async Task<(EventRecord? Event, AdmissionProblem? Problem)> AdmitAsync(
        TenantSnapshot snapshot, EventSubmission submission, string? acceptLanguage, string? traceParent, DateTimeOffset now,
        string prefix = "")
    {
        var rule = snapshot.RuleFor(submission.Name!);
        if (rule is null)
        {
            return (null, new AdmissionProblem(UnknownEvent, "Unknown event name.",
                $"Tenant '{snapshot.Tenant.Id}' has no routing rule for event '{submission.Name}'.", prefix + "name"));
        }

        var category = submission.Category ?? rule.Category;
        if (snapshot.Category(category) is null)
        {
            return (null, new AdmissionProblem(UnknownCategory, "Unknown category.",
                $"'{category}' is not a category of tenant '{snapshot.Tenant.Id}'.", prefix + "category"));
        }

        var payload = submission.Payload is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : "{}";
        foreach (var schema in snapshot.TemplatesNamed(rule.TemplateName).Select(t => t.VariablesSchema).Where(s => s is not null).Distinct())
        {
            var problems = await PayloadSchema.ValidateAsync(schema, payload);
            if (problems.Count > 0)
            {
                var first = problems.FirstOrDefault(x => x.Missing) ?? problems[0];
                return (null, new AdmissionProblem(
                    first.Missing ? Messages.ReasonCodes.TemplateMissingVar : PayloadInvalid,
                    first.Missing ? "A template variable is missing." : "The payload does not match the template's variables.",
                    first.Message, $"{prefix}payload.{first.Variable}"));
            }
        }

        var dueAt = submission.SendAt is { } sendAt && sendAt > now ? sendAt : now;
        return (new EventRecord
        {
            Id = Guid.CreateVersion7(now),
            TenantId = snapshot.Tenant.Id,
            Name = submission.Name!,
            Category = category,
            Priority = submission.Priority ?? EventPriority.Normal,
            CauseRef = submission.CauseRef!,
            Actor = submission.Actor,
            Payload = payload,
            Locale = LocaleChain.Normalize(submission.Locale),
            AcceptLanguage = acceptLanguage is { Length: > 256 } ? acceptLanguage[..256] : acceptLanguage,
            Recipients = submission.Recipients?.Distinct(StringComparer.Ordinal).ToArray(),
            Audience = submission.Audience is { ValueKind: JsonValueKind.Object } audience ? audience.GetRawText() : null,
            SendAt = submission.SendAt,
            DueAt = dueAt,
            TraceParent = traceParent,
            CreatedAt = now,
        }, null);
    }
}
