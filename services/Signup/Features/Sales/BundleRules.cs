using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;

namespace MasStack.Signup.Features.Sales;

/// <summary>What a bundle can hold: pure, over the catalogue and the lines already in the account (null for a new sale).</summary>
public static class BundleRules
{
    /// <summary>
    /// Errors naming the fields, for a 422: an unknown bundle or product, a payment type other than the bundle's, a
    /// line of a type the bundle has no slot for or a product the slot does not offer, too many or too few lines.
    /// <paramref name="linePrefix"/> names a line's fields: <c>i =&gt; $"lines[{i}]."</c>, or empty for a single line.
    /// </summary>
    public static ValidationErrors Check(
        Contracts.Catalogue catalogue, string bundleCode, PaymentType paymentType, IReadOnlyList<ValidLine> lines,
        IReadOnlyList<SubscriptionType>? existing, Func<int, string> linePrefix)
    {
        var errors = new ValidationErrors();
        var bundle = catalogue.Bundle(bundleCode);
        if (bundle is null)
        {
            errors.Add("bundleCode", $"There is no bundle {bundleCode} in the catalogue.");
            return errors;
        }
        if (bundle.PaymentType != paymentType)
            errors.Add("paymentType", $"The bundle {bundle.Code} is {EnumText.Of(bundle.PaymentType)}.");

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var slot = bundle.SlotFor(line.Type);
            var product = catalogue.Product(line.ProductCode);
            if (slot is null)
                errors.Add($"{linePrefix(i)}type", $"The bundle {bundle.Code} holds no {EnumText.Of(line.Type)} line.");
            else if (product is null)
                errors.Add($"{linePrefix(i)}productCode", $"There is no product {line.ProductCode} in the catalogue.");
            else if (product.Type != line.Type || !bundle.Offers(line.Type, product.Code))
                errors.Add($"{linePrefix(i)}productCode",
                    $"The bundle {bundle.Code} offers {string.Join(", ", slot.Products)} for a {EnumText.Of(line.Type)} line.");
        }

        // A line added to an account counts the lines it holds; only a new sale must fill the bundle's minimums.
        var types = (existing ?? []).Concat(lines.Select(l => l.Type));
        foreach (var misfit in bundle.Misfits(types, minimums: existing is null))
        {
            if (misfit.Fit == SlotFit.TooMany)
                errors.Add("lines", $"The bundle {bundle.Code} holds at most {misfit.Slot!.MaxLines} {EnumText.Of(misfit.Type)} line(s).");
            else if (misfit.Fit == SlotFit.TooFew)
                errors.Add("lines", $"The bundle {bundle.Code} needs at least {misfit.Slot!.MinLines} {EnumText.Of(misfit.Type)} line(s).");
            // (a line with no slot was named above, by its own field)
        }
        return errors;
    }
}
