using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Comms.Dispatcher.Email;

/// <summary><c>Comms:Email</c>: the sender identity and SMTP connection pool. The server comes from <c>ConnectionStrings:mail</c>.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string SectionName = "Comms:Email";

    [Required]
    public string From { get; set; } = "Comms <no-reply@comms.local>";

    /// <summary>
    /// The mailbox of the <c>mailto:</c> in <c>List-Unsubscribe</c> (e.g. <c>unsubscribe@example.com</c>); unset, it is
    /// <c>unsubscribe@</c> the domain of <see cref="From"/>.
    /// </summary>
    public string? UnsubscribeMailto { get; set; }

    /// <summary>The <c>mailto:</c> mailbox of <c>List-Unsubscribe</c>: <see cref="UnsubscribeMailto"/>, or derived from <see cref="From"/>.</summary>
    public MailboxAddress UnsubscribeMailbox() => string.IsNullOrWhiteSpace(UnsubscribeMailto)
        ? new MailboxAddress(null, "unsubscribe@" + MailboxAddress.Parse(From).Domain)
        : MailboxAddress.Parse(UnsubscribeMailto);

    [Range(1, 64)]
    public int MaxConnections { get; set; } = 4;

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A pooled connection idle longer than this is checked (NOOP) before it carries a message.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan IdleCheckAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A pooled connection idle longer than this is closed instead of reused (servers drop idle sessions).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(From) && !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult("Comms:Email:From must be a mailbox, e.g. 'Comms <no-reply@example.com>'.", [nameof(From)]);
        }

        if (!string.IsNullOrWhiteSpace(UnsubscribeMailto) && !MailboxAddress.TryParse(UnsubscribeMailto, out _))
        {
            yield return new ValidationResult("Comms:Email:UnsubscribeMailto must be an address, e.g. 'unsubscribe@example.com'.", [nameof(UnsubscribeMailto)]);
        }
    }
}

/// <summary>An SMTP endpoint parsed from <c>smtp://[user:password@]host:port</c> (<c>smtps://</c> for implicit TLS).</summary>
public sealed record SmtpEndpoint(string Host, int Port, bool ImplicitTls, string? UserName, string? Password)
{
    /// <summary>Never prints the password (records print every property otherwise).</summary>
    public override string ToString() => $"{(ImplicitTls ? "smtps" : "smtp")}://{(UserName is null ? "" : UserName + ":***@")}{Host}:{Port}";

    public static SmtpEndpoint Parse(string connectionString)
    {
        var value = connectionString.Trim();
        if (value.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase))
        {
            value = value["Endpoint=".Length..];
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps"))
        {
            // Never echo the value: it may carry a password.
            throw new InvalidOperationException(
                "ConnectionStrings:mail must look like 'smtp://host:port' (or smtps://user:password@host:port); the value given does not.");
        }

        string? user = null, password = null;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        var implicitTls = uri.Scheme == "smtps";
        return new SmtpEndpoint(uri.Host, uri.IsDefaultPort ? (implicitTls ? 465 : 25) : uri.Port, implicitTls, user, password);
    }
}
