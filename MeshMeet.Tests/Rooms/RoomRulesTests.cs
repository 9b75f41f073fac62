using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;

namespace MeshMeet.Tests.Rooms;

public sealed class RoomRulesTests
{
    [Fact]
    public void A_valid_room_is_trimmed_and_gets_the_default_capacity()
    {
        var (room, errors) = RoomRules.Validate("  Team sync ", null);
        Assert.Empty(errors);
        Assert.Equal(new NewRoom("Team sync", 6), room);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bell\u0007")]
    [InlineData("line\nbreak")]
    public void Empty_names_and_control_characters_are_refused(string? name)
    {
        var (room, errors) = RoomRules.Validate(name, 4);
        Assert.Null(room);
        Assert.Equal(["name"], errors.Keys);
    }

    [Fact]
    public void Names_are_counted_in_characters_not_utf16_units()
    {
        var eighty = string.Concat(Enumerable.Repeat("😀", 80));
        Assert.NotNull(RoomRules.Validate(eighty, 2).Room);
        Assert.Null(RoomRules.Validate(eighty + "x", 2).Room);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(6, true)]
    [InlineData(7, false)]
    public void Capacity_must_be_between_two_and_six(int capacity, bool valid)
    {
        var (_, errors) = RoomRules.Validate("Room", capacity);
        Assert.Equal(valid, !errors.ContainsKey("capacity"));
    }

    [Fact]
    public void Both_fields_are_reported_at_once()
    {
        var (_, errors) = RoomRules.Validate("", 9);
        Assert.Equal(["capacity", "name"], errors.Keys.Order());
    }
}

public sealed class SecureIdTests
{
    [Fact]
    public void Ids_are_22_url_safe_characters_carrying_128_bits()
    {
        var id = SecureId.New();
        Assert.Matches("^[A-Za-z0-9_-]{22}$", id);
        Assert.True(SecureId.LooksValid(id));
    }

    [Fact]
    public void Ten_thousand_ids_are_all_different_and_use_every_bit()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => SecureId.New()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // Each of the 128 bit positions should be set in about half of the ids; a weak generator skews some.
        var bytes = ids.Select(id => Convert.FromBase64String(id.Replace('-', '+').Replace('_', '/') + "==")).ToList();
        for (var bit = 0; bit < 128; bit++)
        {
            var ones = bytes.Count(b => (b[bit / 8] >> (bit % 8) & 1) == 1);
            Assert.InRange(ones, 4_700, 5_300);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA/")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_ids_are_recognised_before_any_lookup(string? id) => Assert.False(SecureId.LooksValid(id));
}

public sealed class DisplayNameTests
{
    [Theory]
    [InlineData("Bob\u200B (host)", "Bob (host)")]        // zero-width space
    [InlineData("\u202EtsoH\u202C", "tsoH")]               // right-to-left override
    [InlineData("\u2066Ann\u2069", "Ann")]                 // bidi isolates
    [InlineData("Jose\u0301", "Jos\u00E9")]                // composed to NFC
    public void Names_are_normalised_and_lose_invisible_format_characters(string typed, string kept) =>
        Assert.Equal(kept, MeshMeet.Web.Infrastructure.NameRules.Clean(typed, 40, "Your name").Value);

    [Fact]
    public void A_name_of_nothing_but_format_characters_is_empty() =>
        Assert.Equal("Your name is required.", MeshMeet.Web.Infrastructure.NameRules.Clean("\u200B\u200D", 40, "Your name").Error);
}
