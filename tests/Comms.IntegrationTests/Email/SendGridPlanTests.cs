extern alias dispatcher;

using Comms.Core.Messages;
using dispatcher::Comms.Dispatcher.Email;

namespace Comms.IntegrationTests.Email;

/// <summary>How a claimed batch becomes SendGrid requests (pure: no server).</summary>
public sealed class SendGridPlanTests
{
    [Fact]
    public void Identical_content_shares_a_request_content_of_its_own_shares_one_through_substitutions_and_a_large_one_goes_alone()
    {
        var same = Enumerable.Range(0, 3).Select(i => Message($"same{i}@example.test", "Same text", "<p>Same</p>")).ToList();
        var own = Enumerable.Range(0, 3).Select(i => Message($"own{i}@example.test", $"Text {i}", $"<p>{i}</p>")).ToList();
        var large = Message("large@example.test", new string('x', SendGridWire.MaxSubstitutionBytes), null);

        var requests = SendGridWire.Plan([.. same, .. own, large], 1000);

        Assert.Equal(3, requests.Count);
        Assert.Contains(requests, r => r.SequenceEqual(same));
        Assert.Contains(requests, r => r.SequenceEqual(own));
        Assert.Contains(requests, r => r.SequenceEqual([large]));
        var from = new MimeKit.MailboxAddress("Comms", "no-reply@comms.test");
        var literal = SendGridWire.Body(same, from, from);
        Assert.Equal("Same text", literal.Content[0].Value);
        Assert.All(literal.Personalizations, p => Assert.Null(p.Substitutions));
        var substituted = SendGridWire.Body(own, from, from);
        Assert.Equal(SendGridWire.TextTag, substituted.Content[0].Value);
        Assert.Equal(["Text 0", "Text 1", "Text 2"], substituted.Personalizations.Select(p => p.Substitutions![SendGridWire.TextTag]));
        Assert.Equal(new string('x', SendGridWire.MaxSubstitutionBytes), SendGridWire.Body([large], from, from).Content[0].Value);
    }

    [Fact]
    public void Requests_hold_at_most_the_limit_and_never_one_address_twice()
    {
        var messages = Enumerable.Range(0, 2500).Select(i => Message($"user{i % 2000}@example.test", "Same", null)).ToList();

        var requests = SendGridWire.Plan(messages, 1000);

        Assert.All(requests, r => Assert.True(r.Count <= 1000));
        Assert.All(requests, r => Assert.Equal(r.Count, r.Select(m => m.Address!.ToUpperInvariant()).Distinct().Count()));
        Assert.Equal(messages.Select(m => m.Id).Order(), requests.SelectMany(r => r).Select(m => m.Id).Order());
        Assert.Equal(3, requests.Count);
    }

    private static ClaimedMessage Message(string to, string text, string? html) => new(
        Guid.CreateVersion7(), "t", null, Guid.NewGuid(), "user", Channel.Email, "account", "welcome", 1, "en-US", "c:1", to, 0, null, null,
        new RenderedContent { Subject = "Hello", Text = text, Html = html });
}
