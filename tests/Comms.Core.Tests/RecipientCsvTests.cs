using Comms.Core.Recipients.Bulk;

namespace Comms.Core.Tests;

public sealed class RecipientCsvTests
{
    private static List<RecipientCsvRow> Read(string csv) => RecipientCsv.Read(new StringReader(csv));

    [Fact]
    public void Columns_are_matched_in_any_order_and_case_and_empty_cells_stay_unset()
    {
        var rows = Read("Email,external_id,TIME ZONE,roles,name\r\nann@example.test,ann,Europe/Berlin,admin; billing,\r\n,bob,,,Bob\r\n");

        Assert.Equal([2, 3], rows.Select(r => r.Line));
        var ann = rows[0].Item;
        Assert.Equal(("ann", "ann@example.test", "Europe/Berlin", null), (ann.ExternalId, ann.Email, ann.TimeZone, ann.Name));
        Assert.Equal(["admin", "billing"], ann.Roles!);
        var bob = rows[1].Item;
        Assert.Equal(("bob", null, null, "Bob"), (bob.ExternalId, bob.Email, bob.Roles, bob.Name));
    }

    [Fact]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks_and_lines_count_from_the_header()
    {
        var rows = Read("externalId,name\n\"a,1\",\"Ann \"\"the\"\" First\nof two\"\nb,Bo\n");

        Assert.Equal(("a,1", "Ann \"the\" First\nof two"), (rows[0].Item.ExternalId, rows[0].Item.Name));
        Assert.Equal((4, "b"), (rows[1].Line, rows[1].Item.ExternalId));
    }

    [Fact]
    public void Attribute_columns_make_a_string_object_only_when_a_cell_is_filled()
    {
        var rows = Read("externalId,attributes.plan,attributes.Team Name\na,pro,Core\nb,,\n");

        Assert.Equal("""{"plan":"pro","Team Name":"Core"}""", rows[0].Item.Attributes!.Value.GetRawText());
        Assert.Null(rows[1].Item.Attributes);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("name,email\nAnn,a@example.test\n", "no externalId column")]
    [InlineData("externalId,mobile\na,1\n", "Unknown column 'mobile' (column 2)")]
    [InlineData("externalId,email,Email\na,b,c\n", "appears twice")]
    [InlineData("externalId,name\na,x\"y\n", "Line 2: malformed")]
    [InlineData("externalId,name\na,\"open\nb,c\n", "malformed")]
    public void A_file_of_the_wrong_shape_is_refused_whole_naming_what_is_wrong(string csv, string expected)
    {
        var e = Assert.Throws<RecipientCsvException>(() => Read(csv));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_rows_than_the_limit_are_refused()
    {
        var csv = "externalId\n" + string.Concat(Enumerable.Range(0, RecipientCsv.MaxRows + 1).Select(i => $"r{i}\n"));

        var e = Assert.Throws<RecipientCsvException>(() => Read(csv));
        Assert.Contains("more than 100,000 rows", e.Message, StringComparison.Ordinal);
    }
}
