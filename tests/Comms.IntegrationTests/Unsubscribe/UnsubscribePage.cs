using System.Net;
using System.Text.RegularExpressions;

namespace Comms.IntegrationTests.Unsubscribe;

/// <summary>A browser without JavaScript on the unsubscribe page: keeps cookies, reads each form and posts it back with its antiforgery token.</summary>
internal sealed partial class UnsubscribePage(string link) : IDisposable
{
    private readonly HttpClient _client = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() });

    public HttpStatusCode Status { get; private set; }

    public string Html { get; private set; } = "";

    public string Title => WebUtility.HtmlDecode(TitleRegex().Match(Html).Groups[1].Value).Trim();

    public async Task<UnsubscribePage> OpenAsync()
    {
        await ReadAsync(await _client.GetAsync(link));
        return this;
    }

    /// <summary>Presses the button whose text contains <paramref name="button"/> (posting its form with every field in it).</summary>
    public async Task PressAsync(string button, bool withAntiforgery = true)
    {
        var form = FormRegex().Matches(Html).FirstOrDefault(m => m.Groups[2].Value.Contains(button, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form with a '{button}' button on the page:\n{Html}");
        var action = WebUtility.HtmlDecode(form.Groups[1].Value);
        var fields = InputRegex().Matches(form.Groups[2].Value)
            .Select(m => new KeyValuePair<string, string>(m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value)))
            .Where(f => withAntiforgery || f.Key != "__RequestVerificationToken")
            .ToList();
        await ReadAsync(await _client.PostAsync(new Uri(new Uri(link), action), new FormUrlEncodedContent(fields)));
    }

    public bool HasButton(string text) => FormRegex().Matches(Html).Any(m => m.Groups[2].Value.Contains(text, StringComparison.Ordinal));

    private async Task ReadAsync(HttpResponseMessage response)
    {
        Status = response.StatusCode;
        Html = await response.Content.ReadAsStringAsync();
        Assert.True(response.Headers.CacheControl?.NoStore, "the page must not be stored");
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("""<form method="post" action="([^"]+)">(.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex("""<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>""")]
    private static partial Regex InputRegex();

    [GeneratedRegex("""data-testid="unsubscribe-title">(.*?)</h1>""", RegexOptions.Singleline)]
    private static partial Regex TitleRegex();
}
