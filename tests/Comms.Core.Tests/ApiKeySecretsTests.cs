using Comms.Core.Tenancy;

namespace Comms.Core.Tests;

public sealed class ApiKeySecretsTests
{
    [Fact]
    public void Generated_keys_carry_a_recognisable_prefix_and_differ()
    {
        var (first, prefix) = ApiKeySecrets.Generate();
        var (second, _) = ApiKeySecrets.Generate();

        Assert.StartsWith("cms_", first, StringComparison.Ordinal);
        Assert.StartsWith(prefix + "_", first, StringComparison.Ordinal);
        Assert.Equal(prefix, ApiKeySecrets.PrefixOf(first));
        Assert.NotEqual(first, second);
        Assert.True(first.Length > 40);
    }

    [Fact]
    public void The_hash_is_stable_hex_sha256_and_never_the_key()
    {
        var hash = ApiKeySecrets.Hash("demo-api-key");

        Assert.Equal(64, hash.Length);
        Assert.Equal(hash, ApiKeySecrets.Hash("demo-api-key"));
        Assert.NotEqual(hash, ApiKeySecrets.Hash("demo-api-key2"));
    }

    [Fact]
    public void Keys_of_another_shape_show_only_a_short_prefix()
    {
        Assert.Equal("demo-a…", ApiKeySecrets.PrefixOf("demo-api-key"));
    }
}
