using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class LocaleChainTests
{
    [Fact]
    public void Chain_goes_user_then_event_then_accept_language_then_tenant_then_en_US()
    {
        var chain = LocaleChain.Build("de-AT", "fr", "es-ES;q=0.8, it", "nl-NL");

        Assert.Equal(["de-AT", "de", "fr", "it", "es-ES", "es", "nl-NL", "nl", "en-US", "en"], chain);
    }

    [Fact]
    public void Missing_sources_fall_back_to_en_US()
    {
        Assert.Equal(["en-US", "en"], LocaleChain.Build(null, null, null, null));
    }

    [Fact]
    public void Accept_language_skips_wildcards_zero_quality_and_malformed_tags()
    {
        var languages = LocaleChain.ParseAcceptLanguage("*, fr;q=0, 12-34, pt-br;q=0.5, sv");

        Assert.Equal(["sv", "pt-br"], languages);
    }

    [Theory]
    [InlineData("pt-br", "pt-BR")]
    [InlineData("EN-us", "en-US")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("not a tag", null)]
    public void Normalize_uses_the_usual_casing(string tag, string? expected)
    {
        Assert.Equal(expected, LocaleChain.Normalize(tag));
    }
}
