using System.Text.Encodings.Web;
using System.Text.Json;
using Comms.Core.Broadcasts;
using Comms.Core.ReleaseNotes;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

/// <summary>The broadcast draft a release note's announcement makes: public fields only, literal text, valid as a broadcast.</summary>
public sealed class ReleaseNoteAnnouncerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);
    private static readonly JsonElement AllTenants = JsonSerializer.SerializeToElement(new { allTenants = true });

    private static SysReleaseNote Note(string title = "Faster inbox", string publicBody = "Opens **twice** as fast.") => new()
    {
        Id = Guid.CreateVersion7(), Version = "1.4.0", Title = title, PublicBody = publicBody, InternalBody = "SECRET internal",
        PullRequests = ["https://github.com/example/comms/pull/9"], Visibility = "public", Status = "published",
        Channels = ["in_app", "email"], Sections = new() { Added = ["Badges"], Fixed = ["Safari"] },
    };

    [Fact]
    public void The_draft_carries_the_public_fields_on_the_notes_channels_and_passes_the_broadcast_validation()
    {
        var request = ReleaseNoteAnnouncer.Request(Note(), AllTenants, "https://comms.example.test/changelog", Now);

        Assert.Equal(["banner", "email"], request.Channels);
        Assert.Equal("Release 1.4.0: Faster inbox", request.Title);
        var email = request.Content!["email"];
        Assert.Equal("1.4.0: Faster inbox", email.Subject);
        Assert.Contains("Opens **twice** as fast.", email.Body, StringComparison.Ordinal);
        Assert.Contains("**Added**\n\n- Badges", email.Body, StringComparison.Ordinal);
        Assert.Contains("**Fixed**\n\n- Safari", email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Changed", email.Body, StringComparison.Ordinal);
        Assert.EndsWith("https://comms.example.test/changelog", email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", JsonSerializer.Serialize(request), StringComparison.Ordinal);
        Assert.DoesNotContain("pull/9", JsonSerializer.Serialize(request), StringComparison.Ordinal);
        Assert.Equal(new BroadcastBannerOptions("feature", "info", Now.AddDays(7)), request.Banner);
        Assert.Empty(BroadcastValidation.Validate(request, out _));
    }

    [Fact]
    public async Task Liquid_in_a_note_stays_literal_in_the_email_and_inert_in_the_banner()
    {
        var request = ReleaseNoteAnnouncer.Request(Note("Use {{ recipient.name }}", "Write {% if x %}tags{% endif %} freely."), AllTenants, null, Now);
        Assert.Empty(BroadcastValidation.Validate(request, out _));

        var email = request.Content!["email"];
        var renderer = new LiquidRenderer();
        Assert.Equal("1.4.0: Use {{ recipient.name }}", await renderer.RenderAsync(email.Subject, default, HtmlEncoder.Default));
        Assert.StartsWith("Write {% if x %}tags{% endif %} freely.", await renderer.RenderAsync(email.Body, default, HtmlEncoder.Default), StringComparison.Ordinal);
        var banner = request.Content["banner"];
        Assert.DoesNotContain("{{", banner.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("{%", banner.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void An_email_only_note_makes_an_email_only_draft_without_a_banner()
    {
        var note = Note();
        note.Channels = ["email"];
        var request = ReleaseNoteAnnouncer.Request(note, AllTenants, null, Now);
        Assert.Equal(["email"], request.Channels);
        Assert.Null(request.Banner);
    }
}
