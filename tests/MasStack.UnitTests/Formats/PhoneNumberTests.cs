using MasStack.Platform.Formats;
using Xunit;

namespace MasStack.UnitTests.Formats;

public class PhoneNumberTests
{
    [Theory]
    [InlineData("612345678", "+34612345678")]
    [InlineData("+34612345678", "+34612345678")]
    [InlineData("0034612345678", "+34612345678")]
    [InlineData("612 345 678", "+34612345678")]
    [InlineData("+34 612 34 56 78", "+34612345678")]
    [InlineData("612.345.678", "+34612345678")]
    [InlineData("0034-612-345-678", "+34612345678")]
    [InlineData("  612345678 ", "+34612345678")]
    [InlineData("712345678", "+34712345678")]
    [InlineData("912345678", "+34912345678")]
    [InlineData("812345678", "+34812345678")]
    [InlineData("806123456", "+34806123456")] // premium, but still a well-formed number
    public void Normalize_accepts_spanish_numbers(string input, string expected) =>
        Assert.Equal(expected, PhoneNumber.Normalize(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("512345678")]
    [InlineData("700123456")]
    [InlineData("61234567")]
    [InlineData("6123456789")]
    [InlineData("34612345678")]
    [InlineData("+33612345678")]
    [InlineData("612--345678")]
    [InlineData("612  345678")]
    [InlineData("-612345678")]
    [InlineData("61234567a")]
    [InlineData("+34 +612345678")]
    public void Normalize_rejects_invalid_numbers(string? input) =>
        Assert.Null(PhoneNumber.Normalize(input));

    [Theory]
    [InlineData("+34612345678", NumberKind.Mobile)]
    [InlineData("+34712345678", NumberKind.Mobile)]
    [InlineData("+34912345678", NumberKind.Fixed)]
    [InlineData("+34812345678", NumberKind.Fixed)]
    [InlineData("+34512345678", null)]
    [InlineData("+34702345678", null)]
    [InlineData("+3461234567", null)]
    [InlineData("612345678", null)]
    public void KindOf_classifies_by_leading_digits(string e164, NumberKind? expected) =>
        Assert.Equal(expected, PhoneNumber.KindOf(e164));

    [Theory]
    [InlineData("+34803123456", true)]
    [InlineData("+34806123456", true)]
    [InlineData("+34807123456", true)]
    [InlineData("+34905123456", true)]
    [InlineData("+34808123456", false)]
    [InlineData("+34912345678", false)]
    [InlineData("+34612345678", false)]
    public void IsPremiumRate_matches_premium_ranges(string e164, bool expected) =>
        Assert.Equal(expected, PhoneNumber.IsPremiumRate(e164));

    [Theory]
    [InlineData("+34612345678", NumberKind.Mobile, true)]
    [InlineData("+34612345678", NumberKind.Fixed, false)]
    [InlineData("+34912345678", NumberKind.Fixed, true)]
    [InlineData("+34912345678", NumberKind.Mobile, false)]
    [InlineData("+34806123456", NumberKind.Fixed, false)]
    [InlineData("+34905123456", NumberKind.Fixed, false)]
    [InlineData("+34512345678", NumberKind.Mobile, false)]
    public void IsSellableLine_requires_kind_and_not_premium(string e164, NumberKind kind, bool expected) =>
        Assert.Equal(expected, PhoneNumber.IsSellableLine(e164, kind));
}
