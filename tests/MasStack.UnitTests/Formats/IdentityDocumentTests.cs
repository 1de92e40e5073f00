using MasStack.Platform.Formats;
using Xunit;

namespace MasStack.UnitTests.Formats;

public class IdentityDocumentTests
{
    [Theory]
    [InlineData(DocumentType.Dni, "12345678Z", "12345678Z")]
    [InlineData(DocumentType.Dni, "12345678-z", "12345678Z")]
    [InlineData(DocumentType.Dni, " 12345678 Z ", "12345678Z")]
    [InlineData(DocumentType.Dni, "00000000T", "00000000T")]
    [InlineData(DocumentType.Nie, "X1234567L", "X1234567L")]
    [InlineData(DocumentType.Nie, "x-1234567-l", "X1234567L")]
    [InlineData(DocumentType.Nie, "Y1234567X", "Y1234567X")]
    [InlineData(DocumentType.Nie, "Z1234567R", "Z1234567R")]
    [InlineData(DocumentType.Passport, "AB123456", "AB123456")]
    [InlineData(DocumentType.Passport, "ab 123-456", "AB123456")]
    [InlineData(DocumentType.Passport, "A12345", "A12345")]
    [InlineData(DocumentType.Passport, "ABCDEF123456", "ABCDEF123456")]
    [InlineData(DocumentType.Cif, "A58818501", "A58818501")]
    [InlineData(DocumentType.Cif, "B12345674", "B12345674")]
    [InlineData(DocumentType.Cif, "b-1234567-4", "B12345674")]
    [InlineData(DocumentType.Cif, "P1234567D", "P1234567D")]
    [InlineData(DocumentType.Cif, "G12345674", "G12345674")]
    [InlineData(DocumentType.Cif, "G1234567D", "G1234567D")]
    public void Normalize_accepts_valid_documents(DocumentType type, string input, string expected) =>
        Assert.Equal(expected, IdentityDocument.Normalize(type, input));

    [Theory]
    [InlineData(DocumentType.Dni, null)]
    [InlineData(DocumentType.Dni, "")]
    [InlineData(DocumentType.Dni, "12345678A")] // wrong letter
    [InlineData(DocumentType.Dni, "1234567Z")]
    [InlineData(DocumentType.Dni, "123456789")]
    [InlineData(DocumentType.Dni, "X1234567L")] // a NIE is not a DNI
    [InlineData(DocumentType.Nie, "X1234567A")] // wrong letter
    [InlineData(DocumentType.Nie, "A1234567L")]
    [InlineData(DocumentType.Nie, "12345678Z")] // a DNI is not a NIE
    [InlineData(DocumentType.Nie, "X123456L")]
    [InlineData(DocumentType.Passport, "A1234")] // too short
    [InlineData(DocumentType.Passport, "ABCDEF1234567")] // too long
    [InlineData(DocumentType.Passport, "AB12345Ñ")]
    [InlineData(DocumentType.Passport, "AB.123456")]
    [InlineData(DocumentType.Cif, "A58818502")] // wrong control digit
    [InlineData(DocumentType.Cif, "B1234567D")] // B requires the digit form
    [InlineData(DocumentType.Cif, "P12345674")] // P requires the letter form
    [InlineData(DocumentType.Cif, "G1234567E")] // wrong control letter
    [InlineData(DocumentType.Cif, "I12345674")] // I is not an organisation letter
    [InlineData(DocumentType.Cif, "B1234567")]
    public void Normalize_rejects_invalid_documents(DocumentType type, string? input) =>
        Assert.Null(IdentityDocument.Normalize(type, input));

    [Theory]
    [InlineData("dni", DocumentType.Dni)]
    [InlineData("DNI", DocumentType.Dni)]
    [InlineData("Nie", DocumentType.Nie)]
    [InlineData("passport", DocumentType.Passport)]
    [InlineData("CIF", DocumentType.Cif)]
    public void TryParseType_accepts_known_names(string value, DocumentType expected)
    {
        Assert.True(IdentityDocument.TryParseType(value, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("id")]
    [InlineData("pasaporte")]
    public void TryParseType_rejects_unknown_names(string? value) =>
        Assert.False(IdentityDocument.TryParseType(value, out _));
}
