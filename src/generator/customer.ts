/**
 * Customers of tickets and passes: name, address, phone, email and emergency contact from
 * `@faker-js/faker`, seeded so that the same seed gives the same people.
 *
 * Each of ADDRESS, PHONE, EMAIL and EMERGENCY_CONTACT is null with the chance in `resorts.json`
 * (`customerFieldMissingChance`), drawn from its own seeded stream.
 *
 * @module
 */
import { en, Faker } from "@faker-js/faker";
import { hashSeed, Random } from "./random.ts";
import { FACTS } from "./resorts.ts";

/** A customer as the rows carry it (upper-case keys, nulls for missing fields). */
export interface Customer {
  NAME: string;
  ADDRESS: { STREET_ADDRESS: string; CITY: string; STATE: string; POSTALCODE: string } | null;
  PHONE: string | null;
  EMAIL: string | null;
  EMERGENCY_CONTACT: { NAME: string; PHONE: string } | null;
}

/** Makes customers from one seed. */
export class CustomerFactory {
  readonly #faker: Faker;
  readonly #random: Random;
  readonly #missing: number;

  /** `missingChance`: probability that each optional field is null. */
  constructor(seed: string, missingChance: number = FACTS.customerFieldMissingChance) {
    this.#faker = new Faker({ locale: en });
    // Faker takes a number; derive it from the seed text so that every seed gives other people.
    this.#faker.seed(hashSeed(`customers:${seed}`)[0]);
    this.#random = new Random(`customer-fields:${seed}`);
    this.#missing = missingChance;
  }

  /** The next customer. */
  next(): Customer {
    const f = this.#faker;
    const first = f.person.firstName();
    const last = f.person.lastName();
    const r = this.#random;
    const p = this.#missing;
    return {
      NAME: `${first} ${last}`,
      ADDRESS: r.chance(p) ? null : {
        STREET_ADDRESS: f.location.streetAddress(),
        CITY: f.location.city(),
        STATE: f.location.state({ abbreviated: true }),
        POSTALCODE: f.location.zipCode(),
      },
      PHONE: r.chance(p) ? null : f.phone.number(),
      EMAIL: r.chance(p) ? null : f.internet.email({ firstName: first, lastName: last }),
      EMERGENCY_CONTACT: r.chance(p) ? null : { NAME: f.person.fullName(), PHONE: f.phone.number() },
    };
  }

  /**
   * The next customer as the JSON fragment rows embed: `"NAME":…,"ADDRESS":…,"PHONE":…,
   * "EMAIL":…,"EMERGENCY_CONTACT":…` (keys in the table's column order).
   */
  nextJson(): string {
    const c = this.next();
    const a = c.ADDRESS;
    const e = c.EMERGENCY_CONTACT;
    const s = JSON.stringify;
    return '"NAME":' + s(c.NAME) +
      ',"ADDRESS":' +
      (a === null ? "null" : '{"STREET_ADDRESS":' + s(a.STREET_ADDRESS) + ',"CITY":' +
        s(a.CITY) + ',"STATE":' + s(a.STATE) + ',"POSTALCODE":' + s(a.POSTALCODE) + "}") +
      ',"PHONE":' + (c.PHONE === null ? "null" : s(c.PHONE)) +
      ',"EMAIL":' + (c.EMAIL === null ? "null" : s(c.EMAIL)) +
      ',"EMERGENCY_CONTACT":' +
      (e === null ? "null" : '{"NAME":' + s(e.NAME) + ',"PHONE":' + s(e.PHONE) + "}");
  }
}
