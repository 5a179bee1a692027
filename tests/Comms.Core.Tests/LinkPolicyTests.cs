using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class LinkPolicyTests
{
    public static TheoryData<string> HostileUrls => new()
    {
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "\u0001javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java\rscript:alert(1)",
        "java\u0000script:alert(1)",
        "java\u00a0script:alert(1)",
        "java\u200bscript:alert(1)",
        "\ufeffjavascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "%6A%61vascript:alert(1)",
        "javascript://%0Aalert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "livescript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "DATA:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "blob:https://example.com/uuid",
        "about:blank",
        "view-source:https://example.com",
        "//evil.example",
        "///evil.example",
        " //evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "https:\\\\evil.example",
        "http:/\\evil.example",
        "https:evil.example",
        "https:/evil.example",
        "https://",
        "http://exa mple.com/",
        "https://example.com/\u0007",
        "https://example.com/\u0085",
        "myapp://open",
        "mailto:someone@example.com",
        "tel:+4930123456",
        "ftp://example.com/file",
        "ja:va:script",
    };

    public static TheoryData<string> SafeUrls => new()
    {
        "https://example.com",
        "https://example.com/path?q=javascript:alert(1)#frag",
        "HTTPS://EXAMPLE.COM/",
        "http://example.com:8080/a/b",
        "https://user@example.com/",
        "https://example.com/search?q=a b",
        "  https://example.com/trimmed  ",
        "/inbox/42",
        "inbox/42",
        "./inbox",
        "../inbox",
        "?tab=unread",
        "#section",
        "/a:b",
        "/search?a=1&b=x:y",
        "javascript%3Aalert(1)", // a relative path: browsers never decode a scheme
        "",
    };

    [Theory]
    [MemberData(nameof(HostileUrls))]
    public void Hostile_urls_are_refused(string url)
    {
        Assert.NotNull(LinkPolicy.Default.Problem(url));
    }

    [Theory]
    [MemberData(nameof(SafeUrls))]
    public void Web_and_relative_urls_pass(string url)
    {
        Assert.Null(LinkPolicy.Default.Problem(url));
    }

    [Fact]
    public void A_tenant_scheme_passes_only_for_that_tenant()
    {
        var tenant = LinkPolicy.For(["myapp"]);

        Assert.Null(tenant.Problem("myapp://bookings/42"));
        Assert.Null(tenant.Problem("MyApp://bookings/42"));
        Assert.NotNull(LinkPolicy.Default.Problem("myapp://bookings/42"));
        Assert.NotNull(tenant.Problem("otherapp://x"));
        Assert.NotNull(tenant.Problem("javascript:alert(1)"));
    }

    [Fact]
    public void Script_schemes_stay_refused_even_if_a_tenant_lists_them()
    {
        var tenant = LinkPolicy.For(["javascript", "data"]);

        Assert.NotNull(tenant.Problem("javascript:alert(1)"));
        Assert.NotNull(tenant.Problem("data:text/html,x"));
    }

    [Fact]
    public void Overlong_urls_are_refused()
    {
        Assert.NotNull(LinkPolicy.Default.Problem("https://example.com/" + new string('a', LinkPolicy.MaxUrlLength)));
    }

    [Theory]
    [InlineData("myapp", true)]
    [InlineData("com.example.app", true)]
    [InlineData("x-web+v2", true)]
    [InlineData("javascript", false)]
    [InlineData("data", false)]
    [InlineData("vbscript", false)]
    [InlineData("MyApp", false)]
    [InlineData("myapp:", false)]
    [InlineData("1app", false)]
    [InlineData("", false)]
    [InlineData("my app", false)]
    public void Tenant_scheme_settings_are_validated(string scheme, bool valid)
    {
        Assert.Equal(valid, LinkPolicy.ValidateTenantSchemes([scheme]) is null);
    }
}
