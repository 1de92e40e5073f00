"""Valid sales for the benchmarks: a fresh DNI, email and mobile number each time."""
import random

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def new_dni():
    number = random.randint(10_000_000, 99_999_999)
    return f"{number}{DNI_LETTERS[number % 23]}"


def new_sale():
    dni = new_dni()
    mobile = f"6{random.randint(0, 99_999_999):08d}"
    return {
        "channel": "store", "storeId": "store-0042", "paymentType": "postpaid", "bundleCode": "FIBER-MOBILE",
        "customer": {
            "documentType": "dni", "documentNumber": dni, "firstName": "Lucía", "lastName": "García",
            "email": f"lucia.{dni.lower()}@example.com", "phone": "612345678", "birthDate": "1990-05-17",
            "address": {"street": "Calle Mayor 1", "city": "Madrid", "postalCode": "28013", "province": "Madrid"},
            "iban": "ES9121000418450200051332",
        },
        "lines": [
            {"type": "internet", "productCode": "FIBER-1G"},
            {"type": "mobile", "productCode": "MOBILE-50GB", "numberMode": "new", "number": mobile},
        ],
    }
