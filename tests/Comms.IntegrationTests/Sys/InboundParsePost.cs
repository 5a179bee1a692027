using System.Net.Http.Headers;
using System.Text;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// A raw <c>multipart/form-data</c> body built the way SendGrid Inbound Parse posts it (boundary <c>xYzZY</c>, one part
/// per field, each text field in the character set named for it in <c>charsets</c>, attachments as file parts).
/// </summary>
internal sealed class InboundParsePost
{
    public const string Boundary = "xYzZY";
    private readonly List<(string Name, byte[] Value, string? FileName, string? ContentType)> _parts = [];

    public InboundParsePost Field(string name, string value, Encoding? encoding = null)
    {
        _parts.Add((name, (encoding ?? Encoding.UTF8).GetBytes(value), null, null));
        return this;
    }

    public InboundParsePost File(string name, string fileName, string contentType, byte[] content)
    {
        _parts.Add((name, content, fileName, contentType));
        return this;
    }

    /// <summary>A typical mail: sender, our inbound address, subject, text and HTML, the raw header block and the envelope.</summary>
    public static InboundParsePost Mail(
        string from, string subject, string messageId, string? inReplyTo = null, string? references = null, string to = "support@inbound.example.test",
        string text = "Hello, I have a question about the maintenance window.")
    {
        var headers = new StringBuilder()
            .Append("Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Wed, 27 Nov 2026 00:00:00 +0000 (UTC)\n")
            .Append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=s1;\n\th=from:to:subject; bh=abc=; b=def=\n")
            .Append($"From: Alice Example <{from}>\n")
            .Append($"To: {to}\n")
            .Append($"Subject: {subject}\n")
            .Append($"Message-ID: <{messageId}>\n");
        if (inReplyTo is not null)
        {
            headers.Append($"In-Reply-To: <{inReplyTo}>\n");
        }

        if (references is not null)
        {
            headers.Append($"References: {references}\n");
        }

        headers.Append("Date: Fri, 27 Nov 2026 00:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"000000000000abc\"\n");
        return new InboundParsePost()
            .Field("headers", headers.ToString())
            .Field("dkim", "{@example.net : pass}")
            .Field("to", to)
            .Field("html", $"<div dir=\"ltr\">{text}</div>\n")
            .Field("from", $"Alice Example <{from}>")
            .Field("text", text + "\n")
            .Field("sender_ip", "209.85.219.41")
            .Field("envelope", $$"""{"to":["{{to}}"],"from":"{{from}}"}""")
            .Field("attachments", "0")
            .Field("subject", subject)
            .Field("charsets", """{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}""")
            .Field("SPF", "pass");
    }

    /// <summary>Replaces (or adds) a field.</summary>
    public InboundParsePost Set(string name, string value, Encoding? encoding = null)
    {
        _parts.RemoveAll(p => p.Name == name && p.FileName is null);
        return Field(name, value, encoding);
    }

    public InboundParsePost Without(string name)
    {
        _parts.RemoveAll(p => p.Name == name);
        return this;
    }

    public byte[] Body()
    {
        using var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.ASCII.GetBytes(text));
        foreach (var (name, value, fileName, contentType) in _parts)
        {
            Write($"--{Boundary}\r\n");
            Write(fileName is null
                ? $"Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                : $"Content-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\nContent-Type: {contentType}\r\n\r\n");
            body.Write(value);
            Write("\r\n");
        }

        Write($"--{Boundary}--\r\n");
        return body.ToArray();
    }

    public HttpRequestMessage Request(string? user = "sendgrid", string? password = Infrastructure.CommsFixture.InboundPassword)
    {
        var content = new ByteArrayContent(Body());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid/inbound") { Content = content };
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return request;
    }
}
