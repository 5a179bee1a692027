using Comms.Core.Messages;
using Comms.Core.Preferences;
using Microsoft.Extensions.Options;

namespace Comms.Core.Unsubscribe;

/// <summary>
/// Makes the one-click unsubscribe link of an email when it is rendered: the template's <c>unsubscribe_url</c> and
/// the message's <c>List-Unsubscribe</c> header are this same link. Critical categories (security, legal, a
/// tenant's critical ones) never get one: they bypass opt-outs, so offering to opt out would be a lie.
/// </summary>
public sealed class UnsubscribeLinks(IOptions<UnsubscribeOptions> options, IOptions<PublicLinksOptions> links, TimeProvider time)
{
    public const string PathPrefix = "/unsubscribe/";

    /// <summary>The link for a message, or null when the message may not carry one (critical, or not email).</summary>
    public string? For(string tenantId, Guid recipientId, CategoryInfo category, string channel)
    {
        if (category.Critical || channel != Channel.Email)
        {
            return null;
        }

        var settings = options.Value;
        var token = UnsubscribeToken.Create(
            new UnsubscribeClaims(tenantId, recipientId, category.Name, channel, time.GetUtcNow() + settings.Lifetime), settings.Key);
        return links.Value.PublicWebUrl.TrimEnd('/') + PathPrefix + token;
    }
}
