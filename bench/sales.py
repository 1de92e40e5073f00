"""Valid sales for the benchmarks: a fresh DNI and email each time; the number and SIM come from stock unless a
reserved number is given (online sales: the SIM is shipped, so none is scanned)."""
import random

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def new_dni():
    number = random.randint(10_000_000, 99_999_999)
    return f"{number}{DNI_LETTERS[number % 23]}"


def new_mobile():
    """A number of our 622 range (it may be taken: reserve it to know)."""
    return f"622{random.randint(0, 999_999):06d}"


def new_sale(number=None, reservation_id=None):
    dni = new_dni()
    mobile = {"type": "mobile", "productCode": "MOBILE-50GB", "numberMode": "new"}
    if number is not None:
        mobile.update(number=number, reservationId=reservation_id)
    return {
        "channel": "online", "paymentType": "postpaid", "bundleCode": "FIBER-MOBILE",
        "expedition": {"address": {"street": "Calle Mayor 1", "city": "Madrid", "postalCode": "28013", "province": "Madrid"},
                       "contactName": "Lucía García"},
        "customer": {
            "documentType": "dni", "documentNumber": dni, "firstName": "Lucía", "lastName": "García",
            "email": f"lucia.{dni.lower()}@example.com", "phone": "612345678", "birthDate": "1990-05-17",
            "address": {"street": "Calle Mayor 1", "city": "Madrid", "postalCode": "28013", "province": "Madrid"},
            "iban": "ES9121000418450200051332",
        },
        "lines": [
            {"type": "internet", "productCode": "FIBER-1G"},
            mobile,
        ],
    }
