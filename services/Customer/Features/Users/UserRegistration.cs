using System.Text.Json;
using MasStack.Contracts;
using MasStack.Customer.Features.Tree;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;

namespace MasStack.Customer.Features.Users;

/// <summary>Creates the user of a sale and confirms to the signup saga, or reports why it cannot.</summary>
[ConsumerName("signup-submitted")]
public sealed class SignupSubmittedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SignupSubmitted>(db)
{
    protected override async Task Handle(SignupSubmitted signup, UnitOfWork db, CancellationToken ct)
    {
        var customer = signup.Customer;
        var clash = await db.QuerySingleOrDefaultAsync<string>(
            """
            SELECT CASE WHEN document_number = @DocumentNumber THEN 'customer.documentNumber' ELSE 'customer.email' END
            FROM users WHERE id <> @UserId AND (document_number = @DocumentNumber OR email = @Email)
            LIMIT 1
            """, new { signup.UserId, customer.DocumentNumber, customer.Email });
        if (clash is not null)
        {
            await db.PublishAsync(new SignupStepFailed(signup.SignupId, SignupSteps.Customer, $"{clash} is already registered to another user."));
            return;
        }

        var inserted = await db.ExecuteAsync(
            """
            INSERT INTO users (id, document_type, document_number, first_name, last_name, email, phone, birth_date, address, bank_account_masked, created_at, updated_at)
            VALUES (@UserId, @DocumentType, @DocumentNumber, @FirstName, @LastName, @Email, @Phone, @BirthDate, @Address::jsonb, @BankAccount, @SubmittedAt, @SubmittedAt)
            ON CONFLICT (id) DO NOTHING
            """,
            new
            {
                signup.UserId, customer.DocumentType, customer.DocumentNumber, customer.FirstName, customer.LastName,
                customer.Email, customer.Phone, customer.BirthDate, signup.SubmittedAt,
                Address = JsonSerializer.Serialize(customer.Address, OutboxMessage.JsonOptions),
                BankAccount = customer.Iban is { } iban ? Iban.Mask(iban) : null,
            });
        if (inserted == 0)
        {
            // The user of an earlier sale to the same document is reused; another document under this id is a collision.
            var documentNumber = await db.QuerySingleOrDefaultAsync<string>("SELECT document_number FROM users WHERE id = @UserId", new { signup.UserId });
            IdCollisionException.ThrowIfOther("users", signup.UserId, documentNumber == customer.DocumentNumber, "another document number");
        }
        await db.PublishAsync(new UserRegistered(
                signup.UserId, signup.SignupId, customer.DocumentType, customer.DocumentNumber, customer.Email, signup.SubmittedAt, Version: 1));
        trees.InvalidateAfterCommit(db, signup.UserId);
    }
}
