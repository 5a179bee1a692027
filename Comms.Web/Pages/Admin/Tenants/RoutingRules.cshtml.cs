using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Routing;
using Comms.Core.Tenancy;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Tenants;

/// <summary>What the rule editor posts: channels as comma-separated lists in order of preference.</summary>
public sealed class RuleForm
{
    public string? EventName { get; set; }
    public string? TemplateName { get; set; }
    public string? Category { get; set; }
    public string? Channels { get; set; }
    public string? FallbackChannels { get; set; }
    public int? EscalationAfterMinutes { get; set; }
    public string? EscalationChannel { get; set; }
    public int? DelaySeconds { get; set; }
    public string? DedupeKey { get; set; }
    public int? DedupeWindowSeconds { get; set; }
    public string? DigestKey { get; set; }
    public int? DigestWindowSeconds { get; set; }
    public string? DigestTemplateName { get; set; }
    public string? ThreadKey { get; set; }

    public static RuleForm From(RoutingRule rule) => new()
    {
        EventName = rule.EventName, TemplateName = rule.TemplateName, Category = rule.Category, Channels = string.Join(", ", rule.Channels),
        FallbackChannels = string.Join(", ", rule.FallbackChannels), EscalationAfterMinutes = rule.EscalationAfterMinutes,
        EscalationChannel = rule.EscalationChannel, DelaySeconds = rule.DelaySeconds, DedupeKey = rule.DedupeKey,
        DedupeWindowSeconds = rule.DedupeKey is null ? null : rule.DedupeWindowSeconds, DigestKey = rule.DigestKey,
        DigestWindowSeconds = rule.DigestWindowSeconds, DigestTemplateName = rule.DigestTemplateName, ThreadKey = rule.ThreadKey,
    };

    public RoutingRuleRequest ToRequest() => new()
    {
        TemplateName = Blank(TemplateName), Category = Blank(Category), Channels = List(Channels), FallbackChannels = List(FallbackChannels),
        Escalation = EscalationAfterMinutes is null && Blank(EscalationChannel) is null ? null : new EscalationSpec(EscalationAfterMinutes, Blank(EscalationChannel)),
        DelaySeconds = DelaySeconds,
        Dedupe = Blank(DedupeKey) is null && DedupeWindowSeconds is null ? null : new DedupeSpec(Blank(DedupeKey), DedupeWindowSeconds),
        Digest = Blank(DigestKey) is null && DigestWindowSeconds is null && Blank(DigestTemplateName) is null
            ? null : new DigestSpec(Blank(DigestKey), DigestWindowSeconds, Blank(DigestTemplateName)),
        ThreadKey = Blank(ThreadKey),
    };

    private static List<string> List(string? value) =>
        [.. (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// A tenant's routing rules (<c>/admin/tenants/{id}/routing-rules</c>): the list, and an editor (a new rule, or
/// <c>?event=</c> to change one) with channels in order, fallbacks, escalation, delay, dedupe, digest and thread key,
/// saved through the API's own <see cref="RoutingRuleService"/> — so the same validation, with each message next to its
/// field — and deleting a rule. A SysOperator or the tenant's CommsEditor may change them (audited); others read only.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class RoutingRulesModel(
    IDbContextFactory<CommsDbContext> contexts, TenantService tenants, TenantCatalog catalog, RoutingRuleService rules, CatalogChanges changes, AuditLog audit,
    Comms.Core.Queueing.WakeUps wakeUps)
    : PageModel
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Event { get; set; }
    [BindProperty] public RuleForm Form { get; set; } = new();
    [BindProperty] public string? TestRecipient { get; set; }
    [BindProperty] public string? TestPayload { get; set; }

    public TenantView Tenant { get; private set; } = null!;
    public bool CanManage { get; private set; }
    public IReadOnlyList<RoutingRule> Rules { get; private set; } = [];
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (Event is not null && Rules.FirstOrDefault(r => r.EventName == Event) is { } rule)
        {
            Form = RuleForm.From(rule);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var eventName = (Form.EventName ?? "").Trim();
        var saved = await rules.SaveAsync(Tenant.Id, eventName, Form.ToRequest(), cancellationToken);
        if (saved.Errors is { } errors)
        {
            Errors = errors;
        }
        else if (saved.Problem is { } problem)
        {
            Errors[problem.Field] = [problem.Detail];
        }
        else if (saved.Conflict)
        {
            Notice = "Someone created this rule at the same moment: save again to replace it.";
        }
        else
        {
            await audit.AppendAsync(Tenant.Id, ConsoleOperator.From(User).Actor, saved.Created ? "routing_rule.created" : "routing_rule.updated",
                "routing_rule:" + eventName, new { via = "console", channels = saved.Rule!.Channels }, cancellationToken);
            Notice = saved.Created ? $"Rule '{eventName}' was created." : $"Rule '{eventName}' was saved.";
            await LoadAsync(cancellationToken);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.RoutingRules.Where(r => r.TenantId == Tenant.Id && r.EventName == Event).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            await changes.PublishAsync(Tenant.Id);
            await audit.AppendAsync(Tenant.Id, ConsoleOperator.From(User).Actor, "routing_rule.deleted", "routing_rule:" + Event, new { via = "console" }, cancellationToken);
        }

        Notice = deleted > 0 ? $"Rule '{Event}' was deleted: its events are refused from now on." : "No such rule.";
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>
    /// "Send a test event": admits one event of the rule to one recipient exactly as <c>POST /v1/events</c> would (the
    /// rule, the category, the templates' variable schemas), stores it, wakes the dispatchers, and opens the delivery log
    /// filtered to it — its messages, and from each its decisions and delivery. Audited <c>event.test_sent</c>.
    /// </summary>
    public async Task<IActionResult> OnPostTestEventAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var snapshot = await catalog.GetAsync(Tenant.Id, cancellationToken);
        System.Text.Json.JsonElement payload;
        try
        {
            payload = System.Text.Json.JsonDocument.Parse(string.IsNullOrWhiteSpace(TestPayload) ? "{}" : TestPayload).RootElement.Clone();
        }
        catch (System.Text.Json.JsonException)
        {
            Errors["testPayload"] = ["The payload is not valid JSON."];
            return Page();
        }

        if (string.IsNullOrWhiteSpace(TestRecipient) || snapshot is null)
        {
            Errors["testRecipient"] = ["Give the external id of a recipient of this tenant."];
            return Page();
        }

        var submission = new Comms.Core.Events.EventSubmission
        {
            Name = Event, Recipients = [TestRecipient.Trim()], CauseRef = "console-test:" + Guid.NewGuid().ToString("N"), Payload = payload,
            Actor = ConsoleOperator.From(User).Actor,
        };
        var (record, problem) = await Comms.Core.Events.EventAdmission.AdmitAsync(snapshot, submission, null, null, DateTimeOffset.UtcNow);
        if (problem is not null)
        {
            Errors["testPayload"] = [problem.Detail];
            return Page();
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.Events.Add(record!);
            audit.Add(db, Tenant.Id, ConsoleOperator.From(User).Actor, "event.test_sent", "event:" + record!.Id, new { via = "console", name = Event });
            await db.SaveChangesAsync(cancellationToken);
        }

        await wakeUps.PublishAsync(Comms.Core.Queueing.WakeUps.Events);
        return LocalRedirect($"/admin/messages?tenant={Uri.EscapeDataString(Tenant.Id)}&event={record.Id}");
    }

    /// <summary>The messages of a field and of everything under it (<c>channels</c> covers <c>channels[1]</c>).</summary>
    public string? Error(string field)
    {
        var messages = Errors.Where(e => e.Key == field || e.Key.StartsWith(field + "[", StringComparison.Ordinal) || e.Key.StartsWith(field + ".", StringComparison.Ordinal))
            .SelectMany(e => e.Value).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.CanSee(Id) || await tenants.GetAsync(Id, cancellationToken) is not { } tenant)
        {
            return NotFound();
        }

        Tenant = tenant;
        CanManage = op.CanManage(Id);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Rules = await db.RoutingRules.AsNoTracking().Where(r => r.TenantId == Id).OrderBy(r => r.EventName).ToListAsync(cancellationToken);
        Categories = (await catalog.GetAsync(Id, cancellationToken))?.Categories.Keys.Order(StringComparer.Ordinal).ToList() ?? [];
        return null;
    }
}
