using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin;

/// <summary>
/// The operations dashboard (<c>/admin</c>): queues and the last hour per channel, a chart of them, SPEC S10's
/// alerts, for the tenants the operator may see, and the providers' health (breakers and attempts, from Redis). The page refreshes itself every few seconds from
/// <c>/admin?handler=figures</c> (JSON; the same figures), so numbers move without a reload.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(OperationsDashboard dashboard) : PageModel
{
    public ConsoleOperator Operator { get; private set; } = null!;
    public DashboardFigures Figures { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Operator = ConsoleOperator.From(User);
        Figures = await dashboard.ReadWithAlertsAsync(Operator.Tenants, cancellationToken);
    }

    public async Task<IActionResult> OnGetFiguresAsync(CancellationToken cancellationToken)
    {
        var figures = await dashboard.ReadWithAlertsAsync(ConsoleOperator.From(User).Tenants, cancellationToken);
        Response.Headers.CacheControl = "no-store";
        return new JsonResult(new
        {
            channels = figures.Channels.Select(c => new { c.Channel, c.Queued, oldestWait = Wait(c.OldestWait), c.Deferred, c.Sent, c.Failed, c.Suppressed }),
            alerts = figures.Alerts,
            at = figures.At,
            breakers = figures.Providers.Breakers.Select(b => new { b.Provider, b.Target, b.Name, b.State, since = Since(b.Since), b.Dispatcher, b.LastFailure }),
            providers = figures.Providers.Throughput,
            providerProblem = figures.Providers.Problem,
        });
    }

    /// <summary>The badge of a breaker state: closed green, half-open yellow, open red.</summary>
    public static string StateBadge(string state) => state switch
    {
        "closed" => "text-bg-success",
        "half-open" => "text-bg-warning",
        _ => "text-bg-danger",
    };

    /// <summary>When a breaker took its state, as the panel shows it (UTC).</summary>
    public static string Since(DateTimeOffset at) => at == DateTimeOffset.MinValue
        ? "—"
        : at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public static string Wait(TimeSpan? wait) => wait switch
    {
        null => "—",
        { TotalSeconds: < 1 } => "under 1 s",
        { TotalMinutes: < 1 } w => $"{w.TotalSeconds:0} s",
        { TotalHours: < 1 } w => $"{w.TotalMinutes:0} min",
        var w => $"{w.Value.TotalHours:0.#} h",
    };
}
