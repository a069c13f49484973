import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ALL_TOPICS, ContractViolation, decodeMessage, type TopicDefinition } from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { ContractProducer, KafkaUnavailableError } from '@tthc/kafka';
import {
  originalBytesOf,
  redriveDecision,
  viewOf,
  type DeadLetterDocument,
  type DeadLetterView,
} from './dead-letter-record';
import { DeadLetterRepository, type DeadLetterFilter } from './dead-letter.repository';

/** Seconds a caller is asked to wait when Kafka did not take a redrive. */
const RETRY_AFTER_SECONDS = 5;

export interface BulkRedriveResult {
  topic: string;
  /** Open dead letters of the topic when the request started. */
  open: number;
  redriven: DeadLetterView[];
  /** Letters that could not be redriven, and why (e.g. they still violate the contract). */
  refused: { id: string; detail: string }[];
}

/**
 * Operations on the service's dead letters: list, show, redrive (re-publish the original key and
 * value, byte for byte, to the original topic, once) and discard. A redrive claims the letter with
 * a compare-and-set first, so a repeated or concurrent redrive publishes nothing more and answers
 * the first one's result.
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(
    private readonly repository: DeadLetterRepository,
    private readonly producer: ContractProducer,
  ) {}

  async list(filter: DeadLetterFilter, limit: number, offset: number) {
    const { total, items } = await this.repository.list(filter, limit, offset);
    return { total, items: items.map((item) => viewOf(item, false)) };
  }

  async show(id: string): Promise<DeadLetterView> {
    return viewOf(await this.found(id), true);
  }

  async redrive(id: string): Promise<DeadLetterView> {
    for (let round = 0; round < 3; round++) {
      const document = await this.found(id);
      const decision = redriveDecision(document, Date.now());
      if (decision.action === 'answer') return viewOf(document, true);
      if (decision.action === 'refuse') throw new ProblemException(problem(decision.status, decision.detail));
      const topic = this.redrivable(document);
      const claimId = randomUUID();
      const claimed = await this.repository.claim(id, claimId, new Date(), decision.stale);
      if (claimed === null) continue; // another request changed it meanwhile: answer from its new state
      return viewOf(await this.publish(claimed, topic, claimId), true);
    }
    throw new ProblemException(problem(409, 'this dead letter is being changed by other requests; ask again'));
  }

  /** Redrives every open dead letter of a topic, in partition and offset order. */
  async redriveTopic(topic: string): Promise<BulkRedriveResult> {
    const ids = await this.repository.openIdsOf(topic);
    const result: BulkRedriveResult = { topic, open: ids.length, redriven: [], refused: [] };
    for (const id of ids) {
      try {
        result.redriven.push(await this.redrive(id));
      } catch (error) {
        // Kafka unavailable stops the whole request (503); a refusal of one letter does not.
        if (!(error instanceof ProblemException) || error.problem.status === 503) throw error;
        result.refused.push({ id, detail: error.problem.detail ?? error.message });
      }
    }
    return result;
  }

  async discard(id: string): Promise<DeadLetterView> {
    const discarded = await this.repository.discard(id, new Date());
    if (discarded !== null) {
      this.logger.log(`dead letter ${id} discarded`);
      return viewOf(discarded, true);
    }
    const document = await this.found(id);
    if (document.status === 'discarded') return viewOf(document, true);
    throw new ProblemException(
      problem(409, `this dead letter is ${document.status}; only an open one can be discarded`),
    );
  }

  private async found(id: string): Promise<DeadLetterDocument> {
    const document = await this.repository.get(id);
    if (document === null) throw new ProblemException(problem(404, `no dead letter ${id}`));
    return document;
  }

  /** The letter's topic, if a redrive can help: a known event topic whose contract the message passes. */
  private redrivable(document: DeadLetterDocument): TopicDefinition {
    const topic = ALL_TOPICS.find((candidate) => candidate.name === document.sourceTopic);
    if (topic === undefined) {
      throw new ProblemException(problem(409, `${document.sourceTopic} is not a topic of this version`));
    }
    if (topic.cleanupPolicy === 'compact') {
      throw new ProblemException(
        problem(
          409,
          `${topic.name} is a compacted topic every replica re-reads from the beginning at each start: restart the ` +
            'service after the fix instead (a redrive could replace a newer value of the key), then discard this letter',
        ),
      );
    }
    const { key, value } = originalBytesOf(document);
    try {
      decodeMessage(topic, key, value);
    } catch (error) {
      if (!(error instanceof ContractViolation)) throw error;
      throw new ProblemException(
        problem(409, `the message still violates the contract of ${topic.name} (${error.message}); discard it`),
      );
    }
    return topic;
  }

  private async publish(document: DeadLetterDocument, topic: TopicDefinition, claimId: string) {
    const { key, value } = originalBytesOf(document);
    let landed: { topic: string; partition: number; offset: string };
    try {
      landed = await this.producer.publishOriginal(topic, key, value);
    } catch (error) {
      await this.repository.releaseClaim(document._id, claimId, new Date());
      if (error instanceof KafkaUnavailableError) {
        throw new ProblemException(problem(503, `Kafka did not take the redrive: ${error.message}`), {
          'Retry-After': String(RETRY_AFTER_SECONDS),
        });
      }
      throw error;
    }
    const completed = await this.repository.completeRedrive(document._id, claimId, {
      ...landed,
      at: new Date().toISOString(),
    });
    this.logger.log(`dead letter ${document._id} redriven to ${landed.topic}[${landed.partition}]@${landed.offset}`);
    if (completed === null) {
      // Only a stale-claim takeover by another request can get here (this claim took > 5 min).
      this.logger.warn(`dead letter ${document._id}: its redrive claim was taken over meanwhile; published again`);
      return this.found(document._id);
    }
    return completed;
  }
}
