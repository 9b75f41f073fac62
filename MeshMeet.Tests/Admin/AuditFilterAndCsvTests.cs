using MeshMeet.Web.Audit;

namespace MeshMeet.Tests.Admin;

public sealed class AuditFilterTests
{
    [Fact]
    public void Query_values_are_trimmed_and_unknown_or_malformed_ones_dropped()
    {
        var f = AuditFilter.Parse("  retro ", "", "participantkicked", "2026-11-01", "not a date", "-3");
        Assert.Equal(new AuditFilter("retro", null, "ParticipantKicked", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), null, 1), f);
    }

    [Fact]
    public void A_to_date_includes_that_whole_day()
    {
        var f = AuditFilter.Parse(null, null, null, null, "2026-11-25", null);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), f.To);
        Assert.Equal("2026-11-25", f.ToQuery()["to"]);
    }

    [Fact]
    public void An_unknown_event_kind_means_any_kind() => Assert.Null(AuditFilter.Parse(null, null, "DropTable", null, null, null).Kind);

    [Fact]
    public void Every_kind_names_an_audit_event_type() =>
        Assert.All(AuditFilter.Kinds, k => Assert.True(typeof(IRoomEvent).IsAssignableFrom(AuditCatalogue.Named(k)!.Type), k));

    [Fact]
    public void Links_keep_the_filter_and_change_only_the_page()
    {
        var q = AuditFilter.Parse("a", "b", "RoomEnded", null, null, "2").ToQuery(page: 3);
        Assert.Equal(("a", "b", "RoomEnded", "3"), (q["room"], q["host"], q["kind"], q["page"]));
    }
}

public sealed class CsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("", "")]
    public void Cells_are_quoted_and_formulas_defused(string value, string cell) => Assert.Equal(cell, Csv.Cell(value));

    [Fact]
    public void A_row_ends_with_crlf() => Assert.Equal("a,\"b,c\"\r\n", Csv.Row("a", "b,c"));
}
