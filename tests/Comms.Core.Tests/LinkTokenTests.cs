using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Comms.Core.Links;
using Comms.Core.Unsubscribe;

namespace Comms.Core.Tests;

/// <summary>The signed token of tracked links: it carries its target, and anything we did not sign is refused.</summary>
public sealed class LinkTokenTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly LinkClaims Claims = new("acme-travel", Guid.CreateVersion7(), 3, "https://example.com/a?b=1&c=%20d#frag");

    [Fact]
    public void A_token_carries_tenant_message_index_and_the_exact_target_and_is_url_safe()
    {
        var token = LinkToken.Create(Claims, Key);

        var check = LinkToken.Check(token, [Key]);

        Assert.Equal(LinkTokenState.Valid, check.State);
        Assert.Equal(Claims, check.Claims);
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.True(token.Length < 120, $"{token.Length} characters");
    }

    [Fact]
    public void Every_altered_character_is_refused()
    {
        var token = LinkToken.Create(Claims, Key);
        for (var i = 0; i < token.Length; i++)
        {
            var altered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            Assert.NotEqual(LinkTokenState.Valid, LinkToken.Check(altered, [Key]).State);
            Assert.Null(LinkToken.Check(altered, [Key]).Claims);
        }
    }

    [Fact]
    public void A_token_whose_target_was_swapped_for_another_is_refused_as_forged()
    {
        var bytes = Base64Url.DecodeFromChars(LinkToken.Create(Claims with { Target = "https://example.com/ok" }, Key));
        var evil = Encoding.UTF8.GetBytes("https://evil.test/x");
        var tenantEnd = 19 + 1 + bytes[19];
        var swapped = bytes[..tenantEnd].Concat(evil).Concat(bytes[^LinkToken.MacBytes..]).ToArray();

        var check = LinkToken.Check(Base64Url.EncodeToString(swapped), [Key]);

        Assert.Equal(LinkTokenState.Forged, check.State);
        Assert.Null(check.Claims);
    }

    [Fact]
    public void A_token_signed_with_another_key_is_forged_and_a_previous_key_still_works()
    {
        var other = RandomNumberGenerator.GetBytes(32);
        var token = LinkToken.Create(Claims, other);

        Assert.Equal(LinkTokenState.Forged, LinkToken.Check(token, [Key]).State);
        Assert.Equal(LinkTokenState.Valid, LinkToken.Check(token, [Key, other]).State);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a token!")]
    [InlineData("AAAA")]
    public void Garbage_is_malformed(string? token) =>
        Assert.Equal(LinkTokenState.Malformed, LinkToken.Check(token, [Key]).State);

    [Fact]
    public void A_cut_off_or_overlong_token_is_refused()
    {
        var token = LinkToken.Create(Claims, Key);

        Assert.NotEqual(LinkTokenState.Valid, LinkToken.Check(token[..^5], [Key]).State);
        Assert.Equal(LinkTokenState.Malformed, LinkToken.Check(new string('A', LinkToken.MaxLength + 1), [Key]).State);
    }

    [Fact]
    public void Link_keys_are_derived_from_the_unsubscribe_keys_but_differ_from_them()
    {
        var current = RandomNumberGenerator.GetBytes(32);
        var previous = RandomNumberGenerator.GetBytes(32);
        var options = new UnsubscribeOptions
        {
            SigningKey = Convert.ToBase64String(current), PreviousSigningKeys = [Convert.ToBase64String(previous)],
        };

        var signing = LinkKeys.Signing(options);
        var verification = LinkKeys.Verification(options);

        Assert.NotEqual(current, signing);
        Assert.Equal(signing, verification[0]);
        Assert.Equal(LinkKeys.Derive(previous), verification[1]);
        // An unsubscribe-keyed token is not a link token.
        Assert.Equal(LinkTokenState.Forged, LinkToken.Check(LinkToken.Create(Claims, current), verification).State);
    }
}
