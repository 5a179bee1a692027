using Comms.Core.Preferences;
using Comms.Core.Privacy;
using Comms.Core.Recipients;

namespace Comms.Core.Tests;

public sealed class ErasedIdsTests
{
    [Fact]
    public void A_tombstone_is_the_prefixed_sha256_of_the_external_id_and_holds_nothing_readable()
    {
        var tombstone = ErasedIds.Tombstone("ada@example.com");

        // The same value as PostgreSQL's comms_erased_external_id('ada@example.com') (sha256 of the UTF-8 bytes, hex).
        Assert.Equal("erased:b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72", tombstone);
        Assert.StartsWith(ErasedIds.Prefix, tombstone, StringComparison.Ordinal);
        Assert.DoesNotContain("ada", tombstone, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(tombstone, ErasedIds.Tombstone("ada@example.com"));
        Assert.NotEqual(tombstone, ErasedIds.Tombstone("Ada@example.com"));
        Assert.True(ErasedIds.IsTombstone(tombstone));
        Assert.False(ErasedIds.IsTombstone("ada"));
    }

    [Fact]
    public void An_external_id_may_not_look_like_a_tombstone()
    {
        var errors = RecipientValidator.Validate(
            new RecipientRequest(ErasedIds.Tombstone("ada"), null, null, null, null, null, null, null, null), null, Categories.BuiltIn, out var changes);

        Assert.Null(changes);
        Assert.Contains("erased:", Assert.Single(errors["externalId"]), StringComparison.Ordinal);
    }
}
