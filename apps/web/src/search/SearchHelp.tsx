import { SEARCH_FILTERS } from "@chat/model";
import { For } from "solid-js";

/** The help popover: the filters the search field understands. Choosing one starts it in the field. */
export function SearchHelp(props: { id: string; onPick: (text: string) => void }) {
  return (
    <div class="search-popover search-help" id={props.id} role="dialog" aria-label="Search filters">
      <h2 class="search-help-title">Search filters</h2>
      <p class="search-help-lead">Combine them with words, in any order.</p>
      <ul class="search-help-list">
        <For each={SEARCH_FILTERS}>
          {(filter) => (
            <li>
              <button type="button" class="search-help-filter" onClick={() => props.onPick(filter.insert)}>
                <code>{filter.syntax}</code>
                <span>{filter.meaning}</span>
              </button>
            </li>
          )}
        </For>
      </ul>
      <p class="search-help-example">
        For example <code>from:alice in:design after:2024-03-31 budget</code>. Words match as you type them
        and forgive a typo.
      </p>
    </div>
  );
}
