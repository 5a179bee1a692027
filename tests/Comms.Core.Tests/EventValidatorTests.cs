using System.Text.Json;
using Comms.Core.Events;

namespace Comms.Core.Tests;

public sealed class EventValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly IntakeOptions Options = new() { MaxPayloadBytes = 1024, MaxRecipientsPerEvent = 3 };

    private static EventSubmission Valid() => new()
    {
        Name = "demo.welcome",
        Recipients = ["alice"],
        CauseRef = "signup:1",
        Payload = JsonDocument.Parse("""{"name":"Alice"}""").RootElement,
    };

    [Fact]
    public void A_complete_event_is_valid()
    {
        Assert.Empty(EventValidator.Validate(Valid(), Options, Now));
    }

    [Fact]
    public void Each_problem_names_its_field()
    {
        var errors = EventValidator.Validate(new EventSubmission
        {
            Name = "bad name!",
            Recipients = ["alice", ""],
            Priority = "urgent",
            Locale = "english",
            Category = "Promotions",
            Payload = JsonDocument.Parse("[1,2]").RootElement,
        }, Options, Now);

        Assert.Equal(["category", "causeRef", "locale", "name", "payload", "priority", "recipients[1]"], errors.Keys.Order());
    }

    [Fact]
    public void Recipients_or_audience_is_required_but_not_both()
    {
        Assert.Contains("recipients", EventValidator.Validate(Valid() with { Recipients = null }, Options, Now).Keys);

        var both = Valid() with { Audience = JsonDocument.Parse("""{"all":true}""").RootElement };
        Assert.Contains("audience", EventValidator.Validate(both, Options, Now).Keys);
    }

    [Fact]
    public void Too_many_recipients_are_refused()
    {
        var errors = EventValidator.Validate(Valid() with { Recipients = ["a", "b", "c", "d"] }, Options, Now);

        Assert.Contains("At most 3 recipients", errors["recipients"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_payload_names_the_limit()
    {
        var big = JsonDocument.Parse(JsonSerializer.Serialize(new { text = new string('x', 2000) })).RootElement;

        var errors = EventValidator.Validate(Valid() with { Payload = big }, Options, Now);

        Assert.Contains("limit is 1024 bytes", errors["payload"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Bulk_items_are_prefixed_with_their_index()
    {
        var errors = EventValidator.Validate(Valid() with { CauseRef = null }, Options, Now, "events[7].");

        Assert.Equal(["events[7].causeRef"], errors.Keys);
    }

    [Fact]
    public void SendAt_too_far_ahead_is_refused()
    {
        var errors = EventValidator.Validate(Valid() with { SendAt = Now.AddYears(2) }, Options, Now);

        Assert.Contains("sendAt", errors.Keys);
    }
}
