using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Comms.Core.ReleaseNotes;

/// <summary>
/// The public changelog as an Atom 1.0 feed (RFC 4287): a feed id (a <c>tag:</c> URI of the host), title, updated and a
/// self link; per note an entry with a <c>urn:uuid:</c> id (the note's id, stable across edits), title, published,
/// updated and the public body plus sections as HTML content. Only public fields go in.
/// </summary>
public static class ChangelogAtom
{
    public const string ContentType = "application/atom+xml";
    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    public static string Build(IReadOnlyList<PublicReleaseNote> notes, Uri self, DateTimeOffset now)
    {
        var updated = notes.Count > 0 ? notes.Max(n => n.PublishedAt) : now;
        var feed = new XElement(Atom + "feed",
            new XElement(Atom + "id", $"tag:{self.Host},2026:changelog"),
            new XElement(Atom + "title", "Comms changelog"),
            new XElement(Atom + "updated", Timestamp(updated)),
            new XElement(Atom + "link", new XAttribute("rel", "self"), new XAttribute("type", ContentType), new XAttribute("href", self.AbsoluteUri)),
            new XElement(Atom + "author", new XElement(Atom + "name", "Comms")),
            notes.Select(Entry));
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), feed);
        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(builder, new XmlWriterSettings { Encoding = Encoding.UTF8, Indent = false }))
        {
            document.Save(writer);
        }

        // StringBuilder writers declare utf-16; the response is UTF-8.
        return builder.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    /// <summary>The note's public HTML: the sanitized Markdown body, then its added / changed / fixed lists (encoded).</summary>
    public static string Html(PublicReleaseNote note)
    {
        var html = new StringBuilder(note.BodyHtml);
        Section(html, "Added", note.Sections.Added);
        Section(html, "Changed", note.Sections.Changed);
        Section(html, "Fixed", note.Sections.Fixed);
        return html.ToString();
    }

    private static XElement Entry(PublicReleaseNote note) =>
        new(Atom + "entry",
            new XElement(Atom + "id", "urn:uuid:" + note.Id.ToString("D")),
            new XElement(Atom + "title", $"{note.Version}: {note.Title}"),
            new XElement(Atom + "published", Timestamp(note.PublishedAt)),
            new XElement(Atom + "updated", Timestamp(note.PublishedAt)),
            new XElement(Atom + "content", new XAttribute("type", "html"), Html(note)));

    private static void Section(StringBuilder html, string heading, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<h3>{heading}</h3><ul>");
        foreach (var item in items)
        {
            html.Append("<li>").Append(WebUtility.HtmlEncode(item)).Append("</li>");
        }

        html.Append("</ul>");
    }

    private static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
