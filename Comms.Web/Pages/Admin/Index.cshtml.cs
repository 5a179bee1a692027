using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin;

/// <summary>The operations dashboard (<c>/admin</c>): queues and the last hour per channel, for the tenants the operator may see.</summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(OperationsDashboard dashboard) : PageModel
{
    public ConsoleOperator Operator { get; private set; } = null!;
    public IReadOnlyList<ChannelFigures> Figures { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Operator = ConsoleOperator.From(User);
        Figures = await dashboard.ReadAsync(Operator.Tenants, cancellationToken);
    }

    public static string Wait(TimeSpan? wait) => wait switch
    {
        null => "—",
        { TotalSeconds: < 1 } => "under 1 s",
        { TotalMinutes: < 1 } w => $"{w.TotalSeconds:0} s",
        { TotalHours: < 1 } w => $"{w.TotalMinutes:0} min",
        var w => $"{w.Value.TotalHours:0.#} h",
    };
}
