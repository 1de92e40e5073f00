using MasStack.Contracts;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;

namespace MasStack.Customer.Features.Expedition;

public sealed record AddressInput(string? Street, string? City, string? PostalCode, string? Province, string? Country);

public sealed record ExpeditionRequest(AddressInput? Address, string? ContactName, string? ContactPhone, string? Notes);

public sealed record ExpeditionDetails(PostalAddress Address, string ContactName, string ContactPhone, string? Notes);

/// <summary>Where and to whom SIMs and devices are shipped; <c>isDefault</c> while it is still the user's own address and name.</summary>
public sealed record ExpeditionView(
    long UserId, PostalAddress Address, string ContactName, string ContactPhone, string? Notes, bool IsDefault, DateTimeOffset? UpdatedAt);

/// <summary>Shipping details validated as any address and phone of a sale; pure.</summary>
public static class ExpeditionValidation
{
    public const int MaxNameLength = 100;
    public const int MaxNotesLength = 500;

    public static (ExpeditionDetails? Details, ValidationErrors Errors) Validate(ExpeditionRequest request)
    {
        var errors = new ValidationErrors();
        PostalAddress? address = null;
        if (errors.Required("address", request.Address))
        {
            var a = request.Address!;
            address = PostalAddresses.Validate(errors, "address", a.Street, a.City, a.PostalCode, a.Province, a.Country);
        }

        var name = request.ContactName?.Trim();
        if (errors.Required("contactName", name) && name!.Length > MaxNameLength)
            errors.Add("contactName", $"At most {MaxNameLength} characters.");

        string? phone = null;
        if (errors.Required("contactPhone", request.ContactPhone) && (phone = PhoneNumber.Normalize(request.ContactPhone)) is null)
            errors.Add("contactPhone", "Not a valid Spanish phone number (612345678, +34612345678 or 0034612345678).");

        var notes = string.IsNullOrWhiteSpace(request.Notes) ? null : request.Notes.Trim();
        if (notes is { Length: > MaxNotesLength }) errors.Add("notes", $"At most {MaxNotesLength} characters.");

        return errors.IsEmpty ? (new ExpeditionDetails(address!, name!, phone!, notes), errors) : (null, errors);
    }
}
