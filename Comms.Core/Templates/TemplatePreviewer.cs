using System.Text.Json;
using Comms.Core.Messages;

namespace Comms.Core.Templates;

/// <summary>What a preview rendered, from which arm, and anything the editor should look at.</summary>
public sealed record TemplatePreview(RenderedContent Content, string? Variant, IReadOnlyList<string> Warnings);

/// <summary>
/// Renders any version (or the draft) of a template with a sample payload, exactly as the router
/// would: the payload is first checked against that version's variables schema.
/// </summary>
public sealed class TemplatePreviewer(ContentRenderer renderer)
{
    /// <param name="critical">The template's category is critical: its emails carry no unsubscribe link, so neither does the preview.</param>
    public async Task<TemplateResult<TemplatePreview>> PreviewAsync(
        Template template, string? variantKey, JsonElement? payload, LinkPolicy? links = null, bool critical = false)
    {
        if (payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            return Validation("payload", "The sample payload must be a JSON object.");
        }

        var content = template.Content;
        if (variantKey is not null)
        {
            var variant = template.Variants.FirstOrDefault(v => string.Equals(v.Key, variantKey, StringComparison.Ordinal));
            if (variant is null)
            {
                var known = template.Variants.Count == 0 ? "it has none" : "it has: " + string.Join(", ", template.Variants.Select(v => v.Key));
                return Validation("variant", $"This template has no variant '{variantKey}'; {known}.");
            }

            content = variant.Content;
        }

        var payloadJson = payload is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : "{}";
        IReadOnlyList<PayloadProblem> problems;
        try
        {
            problems = await PayloadSchema.ValidateAsync(template.VariablesSchema, payloadJson);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new TemplateProblem(TemplateCodes.RenderFailed, 422, "The template's variables schema cannot be used.", ex.Message, "variablesSchema");
        }

        if ((problems.FirstOrDefault(x => x.Missing) ?? problems.FirstOrDefault()) is { } problem)
        {
            var field = "payload." + problem.Variable;
            return new TemplateProblem(
                problem.Missing ? TemplateCodes.MissingVariable : TemplateCodes.PayloadInvalid, 422,
                problem.Missing ? "A template variable is missing." : "The payload does not match the template's variables.",
                problem.Message, field)
            {
                Errors = problems.GroupBy(x => "payload." + x.Variable).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()),
            };
        }

        RenderedContent rendered;
        using (var document = JsonDocument.Parse(payloadJson))
        {
            try
            {
                rendered = await renderer.RenderAsync(template.Channel, content, document.RootElement,
                    TemplateBuiltIns.Sample(template.TenantId, template.Name, template.Category,
                        template.Channel == Channel.Email && !critical ? TemplateBuiltIns.ExampleUnsubscribeUrl : null));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new TemplateProblem(TemplateCodes.RenderFailed, 422, "The template could not be rendered.", ex.Message);
            }
        }

        if (template.Channel == Channel.Sms)
        {
            // As routing sends it: with the STOP/HELP footer, within the limit.
            rendered = Sms.SmsFooter.Apply(rendered, template.Locale);
        }

        if (RenderChecks.Check(template.Channel, rendered, links ?? LinkPolicy.Default) is { } invalid)
        {
            return new TemplateProblem(TemplateCodes.RenderInvalid, 422, "The rendered content cannot be sent.", invalid.Message, invalid.Field)
            {
                Errors = new Dictionary<string, string[]>(StringComparer.Ordinal) { [invalid.Field] = [invalid.Message] },
            };
        }

        return new TemplatePreview(rendered, variantKey, [.. TemplateVariables.Warnings(template), .. Warnings(template.Channel, rendered)]);
    }

    private static List<string> Warnings(string channel, RenderedContent rendered)
    {
        var warnings = new List<string>();
        if (channel == Channel.Webhook)
        {
            try
            {
                using var _ = JsonDocument.Parse(rendered.Json ?? "");
            }
            catch (JsonException ex)
            {
                warnings.Add("The rendered webhook body is not valid JSON with this payload: " + ex.Message);
            }
        }

        if (channel == Channel.Email && string.IsNullOrWhiteSpace(rendered.Subject))
        {
            warnings.Add("The subject renders empty with this payload.");
        }

        if (channel is Channel.InApp or Channel.Push && string.IsNullOrWhiteSpace(rendered.Title) && string.IsNullOrWhiteSpace(rendered.Body))
        {
            warnings.Add("Both title and body render empty with this payload.");
        }

        return warnings;
    }

    private static TemplateProblem Validation(string field, string message) =>
        TemplateProblems.Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });
}
