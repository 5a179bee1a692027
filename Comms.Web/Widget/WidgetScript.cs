using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Comms.Web.Widget;

/// <summary>
/// <c>GET /widget/inbox.js</c>: the embeddable inbox widget as one script for a host product's pages. It is the
/// SignalR client (<c>lib/signalr</c>), the inbox core the notification center uses too (<c>js/inbox-core.js</c>:
/// state, catch-up, live updates) and the widget (<c>js/inbox-widget.js</c>), put together once per process, each in
/// a scope of its own: the host page gets one global, <c>CommsInbox</c>, and keeps its own <c>signalR</c>, if any.
/// </summary>
public sealed class WidgetScript(IWebHostEnvironment environment)
{
    public const string Path = "/widget/inbox.js";

    private readonly Lazy<(byte[] Body, string ETag)> _bundle = new(() => Build(environment.WebRootFileProvider));

    public static IEndpointRouteBuilder MapWidgetScript(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext http, WidgetScript script) => script.Serve(http)).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private IResult Serve(HttpContext http)
    {
        var (body, etag) = _bundle.Value;
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = "public, max-age=300";
        // Host pages of any origin load it, also those that isolate themselves (Cross-Origin-Embedder-Policy).
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        if (http.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(body, "text/javascript; charset=utf-8");
    }

    private static (byte[] Body, string ETag) Build(IFileProvider files)
    {
        string Read(string path)
        {
            var file = files.GetFileInfo(path);
            if (!file.Exists)
            {
                throw new InvalidOperationException($"The widget needs wwwroot/{path}, which is missing.");
            }

            using var reader = new StreamReader(file.CreateReadStream(), Encoding.UTF8);
            return reader.ReadToEnd();
        }

        var script = new StringBuilder()
            .AppendLine("/*! Comms inbox widget: CommsInbox.mount(element, { token, api, hub }) or <script src=\".../widget/inbox.js\" data-token data-api>. Includes the SignalR JavaScript client (MIT, (c) .NET Foundation). */")
            .AppendLine("(function () {")
            // The SignalR bundle is UMD: given a CommonJS module it exports there instead of setting window.signalR.
            .AppendLine("var signalR = (function () { var module = { exports: {} }; var exports = module.exports; var define;")
            .AppendLine(Read("lib/signalr/signalr.min.js"))
            .AppendLine("; return module.exports; })();")
            // The core assigns window.CommsInboxCore; here "window" is a private object.
            .AppendLine("var CommsInboxCore = (function () { var window = {};")
            .AppendLine(Read("js/inbox-core.js"))
            .AppendLine("; return window.CommsInboxCore; })();")
            .AppendLine(Read("js/inbox-widget.js"))
            .AppendLine("})();")
            .ToString();
        var body = Encoding.UTF8.GetBytes(script);
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"").ToString();
        return (body, etag);
    }
}
