using Comms.Core.SupportInbox;

namespace Comms.Core.Tests;

/// <summary>SendGrid Inbound Parse fields: the header block, message ids, reply tokens and field errors.</summary>
public sealed class InboundMailParserTests
{
    private static readonly Dictionary<string, (string? Filename, string? Type, long Size)> NoFiles = [];

    [Fact]
    public void Folded_headers_are_unfolded_and_the_threading_ids_read()
    {
        var fields = new Dictionary<string, string>
        {
            ["from"] = "\"Alice\" <alice@example.net>",
            ["headers"] = "Message-ID: <m3@example.net>\nIn-Reply-To:\n <m2@example.net>\nReferences: <m1@example.net>\n\t<m2@example.net>\nSubject: Hi\n",
        };
        var (mail, errors) = InboundMailParser.Parse(fields, NoFiles);
        Assert.Empty(errors);
        Assert.Equal(("alice@example.net", "m3@example.net", "m2@example.net"), (mail!.FromAddress, mail.MessageId, mail.InReplyTo));
        Assert.Equal(["m1@example.net", "m2@example.net"], mail.References);
        Assert.Equal("Hi", mail.Subject); // from the headers when the subject field is absent
    }

    [Theory]
    [InlineData("reply+0123456789abcdef0123456789abcdef@inbound.example.test", "0123456789abcdef0123456789abcdef")]
    [InlineData("REPLY+0123456789abcdef0123456789abcdef@x.test", "0123456789abcdef0123456789abcdef")]
    [InlineData("reply+short@x.test", null)]
    [InlineData("support@x.test", null)]
    public void Reply_tokens_are_read_from_reply_addresses_only(string address, string? token) =>
        Assert.Equal(token, InboundMailParser.ReplyToken(address));

    [Fact]
    public void The_envelope_sender_stands_in_for_an_unparseable_from_and_errors_name_their_fields()
    {
        var (mail, _) = InboundMailParser.Parse(new Dictionary<string, string>
        {
            ["from"] = "undisclosed", ["envelope"] = """{"to":["a@x.test"],"from":"bounce@example.net"}""",
        }, NoFiles);
        Assert.Equal("bounce@example.net", mail!.FromAddress);
        Assert.Contains("a@x.test", mail.ToAddresses);

        var (none, errors) = InboundMailParser.Parse(new Dictionary<string, string>
        {
            ["envelope"] = "[]", ["attachments"] = "-1", ["attachment-info"] = """{"attachment1":"x"}""",
        }, NoFiles);
        Assert.Null(none);
        Assert.Equal(["attachment-info", "attachments", "envelope", "from"], errors.Keys.Order());
    }
}
