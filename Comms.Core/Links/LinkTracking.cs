using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Templates;
using Comms.Core.Unsubscribe;
using Microsoft.Extensions.Options;

namespace Comms.Core.Links;

/// <summary>What decides how the links of one message are rewritten.</summary>
/// <param name="Marketing">The template is a marketing one: its links get UTM parameters.</param>
/// <param name="TenantEnabled">The tenant's <c>linkTracking</c> setting.</param>
public sealed record LinkTrackingContext(
    string TenantId, Guid MessageId, string Channel, string Category, string TemplateName, bool Marketing, bool TenantEnabled);

/// <summary>
/// Link tracking at render time (SPEC S11): the web links of an email's HTML and of an in-app item (its <c>link</c> and the
/// links of its body) become <c>{PublicWebUrl}/r/{token}</c>, a <see cref="LinkToken"/> signed over (tenant, message,
/// link index, target), so the render kept in <c>message_renders</c> is what was sent. Marketing templates' targets get
/// <see cref="Utm"/> parameters first. Nothing is touched for the sensitive categories (<c>security</c>, <c>legal</c>) or
/// when the tenant turned tracking off. Left alone too: <c>mailto:</c>, <c>tel:</c>, other non-web schemes, anchors and
/// relative links, the unsubscribe links, targets that are not printable ASCII (a redirect's <c>Location</c> must carry
/// them byte for byte), and links whose tracked form would pass <see cref="LinkPolicy.MaxUrlLength"/>.
/// </summary>
public sealed class LinkTracking(IOptions<UnsubscribeOptions> keys, IOptions<PublicLinksOptions> links)
{
    public const string PathPrefix = "/r/";

    /// <summary>Categories whose links are never tracked.</summary>
    public static readonly IReadOnlySet<string> SensitiveCategories = new HashSet<string>(StringComparer.Ordinal)
    {
        Categories.Security, Categories.Legal,
    };

    private readonly Lazy<byte[]> _key = new(() => LinkKeys.Signing(keys.Value));

    public static bool Applies(LinkTrackingContext context) =>
        context.TenantEnabled && !SensitiveCategories.Contains(context.Category)
        && context.Channel is Channel.Email or Channel.InApp;

    /// <summary>The content with its links tracked (or as it was, when tracking does not apply).</summary>
    public RenderedContent Apply(RenderedContent content, LinkTrackingContext context)
    {
        if (!Applies(context))
        {
            return content;
        }

        var web = links.Value.PublicWebUrl.TrimEnd('/');
        var index = 0;
        string? Track(string url)
        {
            var target = url.Trim(' ', '\t', '\n', '\f', '\r');
            if (!IsTrackable(target, web))
            {
                return null;
            }

            if (context.Marketing)
            {
                target = Utm.Append(target, context.Channel, context.TemplateName);
            }

            var tracked = web + PathPrefix + LinkToken.Create(new LinkClaims(context.TenantId, context.MessageId, index, target), _key.Value);
            if (tracked.Length > LinkPolicy.MaxUrlLength || index >= ushort.MaxValue)
            {
                return null;
            }

            index++;
            return tracked;
        }

        return context.Channel == Channel.Email
            ? content with { Html = content.Html is null ? null : HtmlLinks.Rewrite(content.Html, Track) }
            : content with
            {
                Link = content.Link is null ? null : Track(content.Link) ?? content.Link,
                BodyHtml = content.BodyHtml is null ? null : HtmlLinks.Rewrite(content.BodyHtml, Track),
            };
    }

    /// <summary>An absolute http(s) URL of printable ASCII that is not one of our own unsubscribe or tracked links.</summary>
    public static bool IsTrackable(string url, string publicWebUrl) =>
        url.Length > 0 && url.All(c => c is > ' ' and < '\u007f')
        && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !string.IsNullOrEmpty(uri.Host)
        && url.Contains("//", StringComparison.Ordinal)
        && !url.StartsWith(publicWebUrl + UnsubscribeLinks.PathPrefix, StringComparison.OrdinalIgnoreCase)
        && !url.StartsWith(publicWebUrl + PathPrefix, StringComparison.OrdinalIgnoreCase);
}
