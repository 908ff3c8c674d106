import {anthropic} from './anthropic.js'
import {aws} from './aws.js'
import {database} from './database.js'
import {github} from './github.js'
import {gitlab} from './gitlab.js'
import {kubernetes} from './kubernetes.js'
import {npm} from './npm.js'
import {openai} from './openai.js'
import {pypi} from './pypi.js'
import {sendgrid} from './sendgrid.js'
import {slack, slackWebhook} from './slack.js'
import {stripe} from './stripe.js'
import type {Issuer} from './types.js'

// Which issuer a credential class belongs to. A class absent here has no
// issuer leakctl may ask (a password, a private key, a signing key): it is
// `unverifiable` and its item stays manual.

export const ISSUERS: readonly Issuer[] = [aws, github, gitlab, slack, slackWebhook, stripe, sendgrid, npm, pypi, openai, anthropic, kubernetes, database]

const BY_CLASS = new Map<string, Issuer>(ISSUERS.flatMap((i) => i.classes.map((c) => [c, i] as const)))

export function issuerOf(cls: string): Issuer | undefined {
  return BY_CLASS.get(cls)
}
