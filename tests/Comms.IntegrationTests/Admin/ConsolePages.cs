using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>What the console's browser tests share: a page that records console errors, CSP violations and failed requests; sign-in; axe.</summary>
internal static class ConsolePages
{
    public static async Task<IPage> NewPageAsync(IBrowser browser, List<string> problems)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 } });
        page.SetDefaultTimeout((float)Comms.TestServers.Poll.DefaultTimeout.TotalMilliseconds);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" || message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
        return page;
    }

    /// <summary>Fills the sign-in form the page shows now and submits it.</summary>
    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Saves a screenshot for the README (<c>docs/</c>) when <c>COMMS_SCREENSHOTS</c> names a folder; otherwise nothing.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("COMMS_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name), FullPage = true });
        }
    }

    /// <summary>No accessibility violations of serious or critical impact (axe-core).</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))})").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }
}
