using Comms.Core.Messages;
using Comms.Core.Sms;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class SmsFooterTests
{
    [Theory]
    [InlineData("en-US", "Reply STOP to unsubscribe, HELP for help.")]
    [InlineData("fr-FR", "Répondez STOP pour vous désabonner, HELP pour de l'aide.")]
    [InlineData("de", "Antworten Sie STOP zum Abmelden, HELP für Hilfe.")]
    [InlineData("es-MX", "Responda STOP para darse de baja, HELP para obtener ayuda.")]
    [InlineData("nl_BE", "Antwoord STOP om af te melden, HELP voor hulp.")]
    [InlineData("it-IT", "Reply STOP to unsubscribe, HELP for help.")]
    [InlineData(null, "Reply STOP to unsubscribe, HELP for help.")]
    public void The_footer_is_in_the_messages_language_with_english_as_the_fallback(string? locale, string footer)
    {
        Assert.Equal("Your code is 123456.\n" + footer, SmsFooter.Apply("Your code is 123456.  ", locale));
    }

    [Fact]
    public void A_text_that_carries_a_footer_already_is_left_as_it_is()
    {
        const string Text = "Your booking is confirmed. Reply stop to unsubscribe, help for help.";
        Assert.Equal(Text, SmsFooter.Apply(Text, "en"));
        Assert.Equal("Hallo! STOP zum Abmelden", SmsFooter.Apply("Hallo! STOP zum Abmelden", "de"));
        var once = SmsFooter.Apply("Hi", "fr");
        Assert.Equal(once, SmsFooter.Apply(once, "fr"));
    }

    [Fact]
    public void A_long_text_gets_the_short_footer_and_a_text_that_does_not_fit_even_then_is_cut_at_a_word_with_an_ellipsis()
    {
        var nearlyFull = new string('a', ChannelLimits.SmsText - 20);
        var withShort = SmsFooter.Apply(nearlyFull, "en");
        Assert.Equal(nearlyFull + "\nSTOP to opt out", withShort);
        Assert.True(withShort.Length <= ChannelLimits.SmsText);

        var words = string.Join(' ', Enumerable.Repeat("word", 320)); // 1,599 characters
        var cut = SmsFooter.Apply(words, "en");
        Assert.True(cut.Length <= ChannelLimits.SmsText, $"{cut.Length} characters");
        Assert.EndsWith("word…\nSTOP to opt out", cut, StringComparison.Ordinal);
        Assert.Null(RenderChecks.Check(Channel.Sms, new RenderedContent { Text = cut }, LinkPolicy.Default));
    }

    [Fact]
    public void A_text_over_the_limit_by_itself_is_left_for_the_render_checks_to_refuse()
    {
        var tooLong = new string('x', ChannelLimits.SmsText + 1);
        Assert.Equal(tooLong, SmsFooter.Apply(tooLong, "en"));
        Assert.Equal("content.text", RenderChecks.Check(Channel.Sms, new RenderedContent { Text = tooLong }, LinkPolicy.Default)?.Field);
    }

    [Fact]
    public async Task A_preview_of_an_sms_template_shows_the_footer_in_the_templates_language()
    {
        var previewer = new TemplatePreviewer(new ContentRenderer(new LiquidRenderer()));
        var template = new Template
        {
            TenantId = "t1", Name = "code", Channel = Channel.Sms, Locale = "de-DE", Content = new TemplateContent { Text = "Ihr Code: {{ code }}" },
        };

        var result = await previewer.PreviewAsync(template, null, System.Text.Json.JsonDocument.Parse("""{"code":"42"}""").RootElement);

        Assert.Null(result.Problem);
        Assert.Equal("Ihr Code: 42\nAntworten Sie STOP zum Abmelden, HELP für Hilfe.", result.Value!.Content.Text);
    }

    [Fact]
    public void Rendered_content_gets_the_footer_on_its_text()
    {
        var content = SmsFooter.Apply(new RenderedContent { Text = "Hi" }, "es");
        Assert.Equal("Hi\nResponda STOP para darse de baja, HELP para obtener ayuda.", content.Text);
        Assert.Null(SmsFooter.Apply(new RenderedContent(), "es").Text);
    }
}
