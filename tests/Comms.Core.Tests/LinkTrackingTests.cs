using System.Security.Cryptography;
using Comms.Core.Links;
using Comms.Core.Messages;
using Comms.Core.Unsubscribe;
using Microsoft.Extensions.Options;

namespace Comms.Core.Tests;

/// <summary>Rewriting links at render time: which links become <c>/r/{token}</c>, with what target, and what stays untouched.</summary>
public sealed class LinkTrackingTests
{
    private const string Web = "https://comms.example.com";
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly UnsubscribeOptions Keys = new() { SigningKey = Convert.ToBase64String(Secret) };
    private static readonly Guid MessageId = Guid.CreateVersion7();

    private static readonly LinkTracking Tracking =
        new(Options.Create(Keys), Options.Create(new PublicLinksOptions { PublicWebUrl = Web + "/" }));

    private static LinkTrackingContext Context(string channel = Channel.Email, string category = "booking", bool marketing = false, bool enabled = true) =>
        new("acme", MessageId, channel, category, "welcome", marketing, enabled);

    private static LinkClaims ClaimsOf(string trackedUrl)
    {
        Assert.StartsWith(Web + "/r/", trackedUrl, StringComparison.Ordinal);
        var check = LinkToken.Check(trackedUrl[(Web.Length + 3)..], LinkKeys.Verification(Keys));
        Assert.Equal(LinkTokenState.Valid, check.State);
        return check.Claims!;
    }

    private static List<string> Hrefs(string html)
    {
        using var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        return [.. document.QuerySelectorAll("a, area").Select(a => a.GetAttribute("href") ?? "")];
    }

    [Fact]
    public void Email_links_become_signed_redirects_to_the_exact_target_in_order_and_the_rest_of_the_html_is_kept_byte_for_byte()
    {
        const string html = """
            <!--[if mso]><table><tr><td><![endif]-->
            <p>Hi &amp; welcome</p>
            <a class=btn HREF='https://example.com/a?x=1&amp;y=%20z#top' target="_blank">A</a>
            <map><area shape=rect href=https://example.com/area></map>
            <a href="https://example.com/b">B</a>
            """;

        var content = Tracking.Apply(new RenderedContent { Subject = "s", Html = html, Text = "https://example.com/a" }, Context());

        var hrefs = Hrefs(content.Html!);
        Assert.Equal(3, hrefs.Count);
        Assert.Equal(new LinkClaims("acme", MessageId, 0, "https://example.com/a?x=1&y=%20z#top"), ClaimsOf(hrefs[0]));
        Assert.Equal("https://example.com/area", ClaimsOf(hrefs[1]).Target);
        Assert.Equal(2, ClaimsOf(hrefs[2]).Index);
        Assert.Equal("https://example.com/b", ClaimsOf(hrefs[2]).Target);
        // Everything but the href values is as the template rendered it.
        var expectedShape = System.Text.RegularExpressions.Regex.Replace(html, "(?i)href=('[^']*'|\"[^\"]*\"|[^ >]+)", "href=X");
        var actualShape = System.Text.RegularExpressions.Regex.Replace(content.Html!, "(?i)href=('[^']*'|\"[^\"]*\"|[^ >]+)", "href=X");
        Assert.Equal(expectedShape, actualShape);
        Assert.Equal("https://example.com/a", content.Text);
    }

    [Fact]
    public void Mailto_tel_anchors_relative_links_other_schemes_and_the_unsubscribe_link_are_left_alone()
    {
        var html = $"""
            <a href="mailto:help@example.com">m</a><a href="tel:+4930123">t</a><a href="#top">anchor</a>
            <a href="/relative">r</a><a href="myapp://open">app</a><a href="{Web}/unsubscribe/abc">unsubscribe</a>
            <a href="https://example.com/ä">non-ascii</a><a>no href</a><a href="https://example.com/ok">ok</a>
            """;

        var content = Tracking.Apply(new RenderedContent { Html = html }, Context());

        var hrefs = Hrefs(content.Html!);
        Assert.Equal(["mailto:help@example.com", "tel:+4930123", "#top", "/relative", "myapp://open", $"{Web}/unsubscribe/abc", "https://example.com/ä", ""],
            hrefs[..^1]);
        Assert.Equal(new LinkClaims("acme", MessageId, 0, "https://example.com/ok"), ClaimsOf(hrefs[^1]));
    }

    [Theory]
    [InlineData("security", true)]
    [InlineData("legal", true)]
    [InlineData("booking", false)]
    public void Sensitive_categories_and_a_tenant_that_turned_tracking_off_get_their_links_untouched(string category, bool enabled)
    {
        var original = new RenderedContent { Html = """<a href="https://example.com/x">x</a>""" };

        var content = Tracking.Apply(original, Context(category: category, enabled: enabled, marketing: true));

        Assert.Same(original, content);
    }

    [Fact]
    public void In_app_items_have_their_link_and_body_links_tracked()
    {
        var original = new RenderedContent
        {
            Title = "t", Body = "[see](https://example.com/body)", BodyHtml = """<p><a href="https://example.com/body">see</a></p>""",
            Link = "https://example.com/item", Icon = "https://example.com/icon.png",
        };

        var content = Tracking.Apply(original, Context(Channel.InApp));

        Assert.Equal(new LinkClaims("acme", MessageId, 0, "https://example.com/item"), ClaimsOf(content.Link!));
        Assert.Equal(new LinkClaims("acme", MessageId, 1, "https://example.com/body"), ClaimsOf(Hrefs(content.BodyHtml!).Single()));
        Assert.Equal(original.Body, content.Body);
        Assert.Equal(original.Icon, content.Icon);
        Assert.Equal(
            [(0, "https://example.com/item"), (1, "https://example.com/body")],
            LinkClicks.TrackedIn(content, MessageId).Select(l => (l.Key, l.Value)));
    }

    [Fact]
    public void Push_and_sms_are_not_rewritten()
    {
        var push = new RenderedContent { Title = "t", Body = "b", Link = "https://example.com/p" };

        Assert.Same(push, Tracking.Apply(push, Context(Channel.Push)));
    }

    [Fact]
    public void Marketing_templates_get_utm_parameters_on_the_target()
    {
        var content = Tracking.Apply(
            new RenderedContent { Html = """<a href="https://example.com/sale?ref=x&amp;utm_source=partner#deal">x</a>""" },
            Context(marketing: true));

        Assert.Equal("https://example.com/sale?ref=x&utm_source=partner&utm_medium=email&utm_campaign=welcome#deal",
            ClaimsOf(Hrefs(content.Html!).Single()).Target);
    }

    [Theory]
    [InlineData("https://example.com", "https://example.com?utm_source=comms&utm_medium=email&utm_campaign=spring%20sale")]
    [InlineData("https://example.com/p?a=1", "https://example.com/p?a=1&utm_source=comms&utm_medium=email&utm_campaign=spring%20sale")]
    [InlineData("https://example.com/p?", "https://example.com/p?utm_source=comms&utm_medium=email&utm_campaign=spring%20sale")]
    [InlineData("https://example.com/p#f?x", "https://example.com/p?utm_source=comms&utm_medium=email&utm_campaign=spring%20sale#f?x")]
    [InlineData("https://example.com/p?UTM_MEDIUM=x&utm_campaign=y", "https://example.com/p?UTM_MEDIUM=x&utm_campaign=y&utm_source=comms")]
    [InlineData("https://example.com/p?utm_source=a&utm_medium=b&utm_campaign=c", "https://example.com/p?utm_source=a&utm_medium=b&utm_campaign=c")]
    public void Utm_parameters_keep_the_query_and_fragment_and_never_override(string url, string expected) =>
        Assert.Equal(expected, Utm.Append(url, Channel.Email, "spring sale"));

    [Fact]
    public void Html_without_links_is_returned_as_it_was()
    {
        const string html = "<p>No links here</p>";

        Assert.Same(html, HtmlLinks.Rewrite(html, _ => "https://x.test"));
    }
}
