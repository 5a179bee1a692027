using System.Security.Cryptography;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Unsubscribe;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Comms.Core.Tests;

/// <summary>The signed token of one-click unsubscribe links: what it names, what it refuses, and that it stays short and URL-safe.</summary>
public sealed class UnsubscribeTokenTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly UnsubscribeClaims Claims = new("acme-travel", Guid.CreateVersion7(), "promotions", Channel.Email, Now.AddDays(60));

    private static UnsubscribeTokenCheck Check(string token, params byte[][] keys) =>
        UnsubscribeToken.Check(token, keys.Length == 0 ? [Key] : keys, Now);

    [Fact]
    public void A_token_names_tenant_user_category_channel_and_expiry_and_is_short_and_url_safe()
    {
        var token = UnsubscribeToken.Create(Claims, Key);

        var check = Check(token);

        Assert.Equal(UnsubscribeTokenState.Valid, check.State);
        Assert.Equal(Claims, check.Claims);
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.True(token.Length <= 90, $"{token.Length} characters");
    }

    [Fact]
    public void Every_altered_character_is_refused_as_not_ours()
    {
        var token = UnsubscribeToken.Create(Claims, Key);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        for (var i = 0; i < token.Length; i++)
        {
            var other = alphabet[(alphabet.IndexOf(token[i], StringComparison.Ordinal) + 1) % alphabet.Length];
            var altered = token[..i] + other + token[(i + 1)..];
            var state = Check(altered).State;
            // The last character carries padding bits in base64url: a change there may leave the bytes unchanged.
            Assert.True(state is UnsubscribeTokenState.Forged or UnsubscribeTokenState.Malformed || (i == token.Length - 1 && state == UnsubscribeTokenState.Valid),
                $"character {i}: {state}");
        }
    }

    [Fact]
    public void Another_key_a_changed_claim_or_a_cut_off_token_are_refused()
    {
        var token = UnsubscribeToken.Create(Claims, Key);

        Assert.Equal(UnsubscribeTokenState.Forged, Check(UnsubscribeToken.Create(Claims, RandomNumberGenerator.GetBytes(32))).State);
        Assert.Equal(UnsubscribeTokenState.Forged, Check(token, RandomNumberGenerator.GetBytes(32)).State);
        Assert.Equal(UnsubscribeTokenState.Malformed, Check(token[..^4]).State);
        Assert.Equal(UnsubscribeTokenState.Malformed, Check(token + "AAAA").State);
        Assert.Null(Check(token[..^4]).Claims);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a token")]
    [InlineData("AAAA")]
    [InlineData("%2E%2E")]
    public void Garbage_is_malformed(string token)
    {
        Assert.Equal(UnsubscribeTokenState.Malformed, Check(token).State);
    }

    [Fact]
    public void Overlong_input_is_refused_before_decoding()
    {
        Assert.Equal(UnsubscribeTokenState.Malformed, Check(new string('A', UnsubscribeToken.MaxLength + 1)).State);
    }

    [Fact]
    public void An_expired_token_is_ours_but_expired_and_the_second_of_expiry_still_works()
    {
        var expired = UnsubscribeToken.Create(Claims with { ExpiresAt = Now.AddSeconds(-1) }, Key);
        var lastSecond = UnsubscribeToken.Create(Claims with { ExpiresAt = Now }, Key);

        Assert.Equal(UnsubscribeTokenState.Expired, Check(expired).State);
        Assert.Equal(UnsubscribeTokenState.Valid, Check(lastSecond).State);
    }

    [Fact]
    public void Links_signed_with_a_previous_key_keep_working_during_rotation()
    {
        var previous = RandomNumberGenerator.GetBytes(32);
        var token = UnsubscribeToken.Create(Claims, previous);

        Assert.Equal(UnsubscribeTokenState.Valid, Check(token, Key, previous).State);
        Assert.Equal(UnsubscribeTokenState.Forged, Check(token, Key).State);
    }

    [Fact]
    public void Links_are_made_for_email_of_non_critical_categories_only_and_expire_after_the_configured_lifetime()
    {
        var time = new FakeTimeProvider(Now);
        var options = new UnsubscribeOptions { SigningKey = Convert.ToBase64String(Key), Lifetime = TimeSpan.FromDays(60) };
        var links = new UnsubscribeLinks(Options.Create(options), Options.Create(new PublicLinksOptions { PublicWebUrl = "https://comms.example.com/" }), time);
        var recipient = Guid.CreateVersion7();

        var link = links.For("acme", recipient, Categories.BuiltIn[Categories.Booking], Channel.Email)!;

        Assert.StartsWith("https://comms.example.com/unsubscribe/", link, StringComparison.Ordinal);
        var check = UnsubscribeToken.Check(link["https://comms.example.com/unsubscribe/".Length..], options.VerificationKeys, Now);
        Assert.Equal(new UnsubscribeClaims("acme", recipient, "booking", "email", Now.AddDays(60)), check.Claims);
        Assert.Null(links.For("acme", recipient, Categories.BuiltIn[Categories.Security], Channel.Email));
        Assert.Null(links.For("acme", recipient, Categories.BuiltIn[Categories.Legal], Channel.Email));
        Assert.Null(links.For("acme", recipient, Categories.BuiltIn[Categories.Booking], Channel.Push));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("c2hvcnQ=", false)] // 5 bytes
    [InlineData("not base64!", false)]
    [InlineData("ZGV2ZWxvcG1lbnQtb25seS11bnN1YnNjcmliZS1rZXk=", true)]
    public void The_signing_key_must_be_base64_of_at_least_32_bytes(string key, bool valid)
    {
        var errors = new UnsubscribeOptions { SigningKey = key }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())).ToList();

        Assert.Equal(valid, errors.Count == 0);
    }

    [Theory]
    [InlineData("https://comms.example.com", true)]
    [InlineData("http://127.0.0.1:5081", true)]
    [InlineData("http://localhost:5081", true)]
    [InlineData("http://comms.example.com", false)] // RFC 8058 wants https
    [InlineData("https://comms.example.com/?a=1", false)]
    [InlineData("comms.example.com", false)]
    [InlineData("ftp://comms.example.com", false)]
    public void The_public_web_url_is_https_or_loopback(string url, bool valid)
    {
        var errors = new PublicLinksOptions { PublicWebUrl = url }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())).ToList();

        Assert.Equal(valid, errors.Count == 0);
    }
}
