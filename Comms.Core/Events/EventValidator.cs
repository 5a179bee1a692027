using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.Core.Templates;

namespace Comms.Core.Events;

/// <summary>Checks the shape of an event submission; errors are keyed by the JSON field they concern.</summary>
public static partial class EventValidator
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex CategoryPattern();

    public static Dictionary<string, string[]> Validate(EventSubmission? submission, IntakeOptions options, DateTimeOffset now, string prefix = "")
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[prefix + field] = [.. errors.GetValueOrDefault(prefix + field, []), message];

        if (submission is null)
        {
            Add("body", "The request body must be a JSON object describing the event.");
            return errors;
        }

        if (string.IsNullOrWhiteSpace(submission.Name))
        {
            Add("name", "The event name is required.");
        }
        else if (!NamePattern().IsMatch(submission.Name))
        {
            Add("name", "The event name must be 1-128 characters of letters, digits and . _ : -, starting with a letter or digit.");
        }

        ValidateAudience(submission, options, Add);

        if (string.IsNullOrWhiteSpace(submission.CauseRef))
        {
            Add("causeRef", "causeRef is required: it names what caused the event (e.g. 'booking:123') and keeps repeats from sending twice.");
        }
        else if (submission.CauseRef.Length > 256)
        {
            Add("causeRef", "causeRef must be at most 256 characters.");
        }

        if (submission.Payload is { } payload && payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
        {
            Add("payload", "The payload must be a JSON object.");
        }
        else if (submission.Payload is { ValueKind: JsonValueKind.Object } objectPayload)
        {
            var size = Encoding.UTF8.GetByteCount(objectPayload.GetRawText());
            if (size > options.MaxPayloadBytes)
            {
                Add("payload", $"The payload is {size} bytes; the limit is {options.MaxPayloadBytes} bytes.");
            }
        }

        if (submission.Category is not null && !CategoryPattern().IsMatch(submission.Category))
        {
            Add("category", "The category must be 1-64 characters of lower-case letters, digits, _ and -.");
        }

        if (submission.Priority is not null && !EventPriority.All.Contains(submission.Priority))
        {
            Add("priority", $"The priority must be one of: {string.Join(", ", EventPriority.All)}.");
        }

        if (submission.Locale is not null && (submission.Locale.Length > 35 || !LocaleChain.IsWellFormed(submission.Locale)))
        {
            Add("locale", "The locale must be a BCP 47 language tag such as 'en-US' or 'de'.");
        }

        if (submission.SendAt is { } sendAt && sendAt - now > options.MaxSchedule)
        {
            Add("sendAt", $"sendAt may be at most {options.MaxSchedule.TotalDays:0} days ahead.");
        }

        if (submission.Actor is { Length: > 200 })
        {
            Add("actor", "The actor must be at most 200 characters.");
        }

        return errors;
    }

    private static void ValidateAudience(EventSubmission submission, IntakeOptions options, Action<string, string> add)
    {
        var hasAudience = submission.Audience is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        if (submission.Recipients is null && !hasAudience)
        {
            add("recipients", "Give the recipients (a list of external ids) or an audience.");
            return;
        }

        if (submission.Recipients is not null && hasAudience)
        {
            add("audience", "Give either recipients or an audience, not both.");
            return;
        }

        if (submission.Recipients is { } recipients)
        {
            if (recipients.Count == 0)
            {
                add("recipients", "At least one recipient is required.");
            }
            else if (recipients.Count > options.MaxRecipientsPerEvent)
            {
                add("recipients", $"At most {options.MaxRecipientsPerEvent} recipients per event; use an audience for more.");
            }

            for (var i = 0; i < recipients.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(recipients[i]) || recipients[i].Length > 200)
                {
                    add($"recipients[{i}]", "A recipient is a non-empty external id of at most 200 characters.");
                }
            }

            return;
        }

        if (!AudienceSelector.TryParse(submission.Audience!.Value, out _, out var error))
        {
            add("audience", error!);
        }
    }
}
