using System.ComponentModel.DataAnnotations;

namespace Comms.Core.SupportInbox;

/// <summary>
/// <c>Comms:Inbound</c>: the operator inbox's inbound mail. SendGrid posts Inbound Parse to
/// <c>https://sendgrid:{password}@{api}/webhooks/sendgrid/inbound</c>; without a password every post is refused.
/// </summary>
public sealed class InboundMailOptions
{
    public const string SectionName = "Comms:Inbound";

    public SendGridInboundOptions SendGrid { get; set; } = new();

    /// <summary>
    /// The domain of reply addresses (<c>reply+{token}@{domain}</c>, SendGrid's Inbound Parse host): operators' replies carry
    /// it as <c>Reply-To</c>, so the answer comes back to the same thread. Unset: replies have no <c>Reply-To</c>.
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")]
    public string? ReplyDomain { get; set; }
}

public sealed class SendGridInboundOptions
{
    /// <summary>The user name SendGrid sends in the URL's basic auth.</summary>
    public const string UserName = "sendgrid";

    /// <summary>The basic-auth password of the Inbound Parse URL (unset: every post is 401).</summary>
    public string? Password { get; set; }
}
