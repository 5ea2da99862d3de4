/**
 * Customers of tickets and passes: name, address, phone, email and emergency contact, made from
 * `@faker-js/faker`'s English data with a Faker instance seeded from the run's seed, so that the
 * same seed gives the same people.
 *
 * Names, streets and cities are put together here from Faker's word lists with Faker's own
 * seeded draws, the way Faker's templates would; going through the templates (`fullName()`,
 * `streetAddress()`, `city()`, `email()`) cost about 20 µs a customer, which at MAX speed was a
 * tenth of the generator's time.
 *
 * Each of ADDRESS, PHONE, EMAIL and EMERGENCY_CONTACT is null with the chance in `resorts.json`
 * (`customerFieldMissingChance`), drawn from its own seeded stream.
 *
 * @module
 */
import type { Faker } from "@faker-js/faker";
// Only the English locale: the package's main entry loads every locale (about 15 MB of heap and
// 40 MB of RSS for data never used).
import { faker as english } from "@faker-js/faker/locale/en";
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

/** The word lists used, from Faker's English definitions. */
interface Words {
  first: readonly string[];
  last: readonly string[];
  streetSuffix: readonly string[];
  streetName: readonly string[];
  cityPrefix: readonly string[];
  citySuffix: readonly string[];
  cityName: readonly string[];
  state: readonly string[];
  emailDomain: readonly string[];
}

function wordList(value: unknown, name: string): readonly string[] {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) {
    return value;
  }
  throw new Error(`faker's English data has no word list ${name}`);
}

function englishWords(): Words {
  // deno-lint-ignore no-explicit-any
  const d = english.rawDefinitions as any;
  return {
    first: wordList(d.person?.first_name?.generic, "person.first_name.generic"),
    last: wordList(d.person?.last_name?.generic, "person.last_name.generic"),
    streetSuffix: wordList(d.location?.street_suffix, "location.street_suffix"),
    streetName: wordList(d.location?.street_name, "location.street_name"),
    cityPrefix: wordList(d.location?.city_prefix, "location.city_prefix"),
    citySuffix: wordList(d.location?.city_suffix, "location.city_suffix"),
    cityName: wordList(d.location?.city_name, "location.city_name"),
    state: wordList(d.location?.state_abbr, "location.state_abbr"),
    emailDomain: wordList(d.internet?.free_email, "internet.free_email"),
  };
}

let words: Words | undefined;

/** Makes customers from one seed. */
export class CustomerFactory {
  readonly #faker: Faker;
  readonly #random: Random;
  readonly #missing: number;
  readonly #words: Words;

  /** `missingChance`: probability that each optional field is null. */
  constructor(seed: string, missingChance: number = FACTS.customerFieldMissingChance) {
    // A Faker of our own (the module's instance is shared, and a shared seed state would make
    // two generators in one process disturb each other), with the English definitions.
    const FakerClass = english.constructor as typeof Faker;
    this.#faker = new FakerClass({ locale: english.rawDefinitions });
    // Faker takes a number; derive it from the seed text so that every seed gives other people.
    this.#faker.seed(hashSeed(`customers:${seed}`)[0]);
    this.#random = new Random(`customer-fields:${seed}`);
    this.#missing = missingChance;
    this.#words = words ??= englishWords();
  }

  #pick(list: readonly string[]): string {
    return list[this.#faker.number.int(list.length - 1)];
  }

  #lastName(): string {
    // As Faker's pattern: one in twenty is double-barrelled.
    return this.#faker.number.int(99) < 5
      ? `${this.#pick(this.#words.last)}-${this.#pick(this.#words.last)}`
      : this.#pick(this.#words.last);
  }

  #street(): string {
    const w = this.#words;
    const number = this.#faker.string.numeric({
      length: 3 + this.#faker.number.int(2),
      allowLeadingZeros: false,
    });
    switch (this.#faker.number.int(2)) {
      case 0:
        return `${number} ${this.#pick(w.first)} ${this.#pick(w.streetSuffix)}`;
      case 1:
        return `${number} ${this.#pick(w.last)} ${this.#pick(w.streetSuffix)}`;
      default:
        return `${number} ${this.#pick(w.streetName)}`;
    }
  }

  #city(): string {
    const w = this.#words;
    switch (this.#faker.number.int(4)) {
      case 0:
        return `${this.#pick(w.cityPrefix)} ${this.#pick(w.first)}${this.#pick(w.citySuffix)}`;
      case 1:
        return `${this.#pick(w.cityPrefix)} ${this.#pick(w.first)}`;
      case 2:
        return `${this.#pick(w.first)}${this.#pick(w.citySuffix)}`;
      case 3:
        return `${this.#pick(w.last)}${this.#pick(w.citySuffix)}`;
      default:
        return this.#pick(w.cityName);
    }
  }

  #email(first: string, last: string): string {
    const f = this.#faker;
    let user: string;
    switch (f.number.int(2)) {
      case 0:
        user = `${first}.${last}`;
        break;
      case 1:
        user = `${first}${f.number.int(99)}`;
        break;
      default:
        user = `${first}_${last}${f.number.int(99)}`;
    }
    return `${user.replace(/[^A-Za-z0-9._-]/g, "")}@${this.#pick(this.#words.emailDomain)}`;
  }

  /** The next customer. */
  next(): Customer {
    const f = this.#faker;
    const first = this.#pick(this.#words.first);
    const last = this.#lastName();
    const r = this.#random;
    const p = this.#missing;
    return {
      NAME: `${first} ${last}`,
      ADDRESS: r.chance(p) ? null : {
        STREET_ADDRESS: this.#street(),
        CITY: this.#city(),
        STATE: this.#pick(this.#words.state),
        POSTALCODE: f.location.zipCode(),
      },
      PHONE: r.chance(p) ? null : f.phone.number(),
      EMAIL: r.chance(p) ? null : this.#email(first, last),
      EMERGENCY_CONTACT: r.chance(p) ? null : {
        NAME: `${this.#pick(this.#words.first)} ${this.#lastName()}`,
        PHONE: f.phone.number(),
      },
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
