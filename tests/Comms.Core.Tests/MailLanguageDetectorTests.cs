using Comms.Core.ContextMail;
using Microsoft.Extensions.Options;

namespace Comms.Core.Tests;

public sealed class MailLanguageDetectorTests
{
    private static readonly MailLanguageDetector Detector = new(Options.Create(new ContextMailOptions()));

    [Theory]
    [InlineData("Treffen heute Abend", "Wir treffen uns heute Abend um acht Uhr vor dem Rathaus. Bitte seid pünktlich, es wird kalt.", "de")]
    [InlineData("Game night", "We are meeting tonight at eight in front of the town hall. Please be on time, it will be cold.", "en")]
    [InlineData("Soirée jeux", "Nous nous retrouvons ce soir à huit heures devant la mairie. Soyez à l'heure, il fera froid.", "fr")]
    public void Detects_the_language_of_a_mail_as_a_bcp47_tag(string subject, string body, string expected) =>
        Assert.Equal(expected, Detector.Detect(subject, body));

    [Theory]
    [InlineData("", "ok")]
    [InlineData("!!", "12345 :-) ???")]
    public void Too_little_text_is_undetermined(string subject, string body) =>
        Assert.Equal("und", Detector.Detect(subject, body));

    [Fact]
    public void A_configuration_without_languages_fails_at_start() =>
        Assert.Throws<OptionsValidationException>(() => new MailLanguageDetector(Options.Create(new ContextMailOptions { DetectLanguages = ["xx"] })));
}
