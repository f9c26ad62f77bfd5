package io.sheppy.spring.listener;

import java.util.Set;

import org.springframework.context.SmartLifecycle;

/**
 * Takes the tasks of one queue and runs them. Containers are created and owned by the endpoint registry; they are
 * not beans.
 *
 * @author Sheppy for Spring
 */
public interface TaskListenerContainer extends SmartLifecycle {

	/**
	 * Return the queue this container takes tasks from.
	 * @return the queue name
	 */
	String getQueue();

	/**
	 * Return the names of the tasks this container runs.
	 * @return the task names
	 */
	Set<String> getTaskNames();

	/**
	 * Return the number of tasks running now.
	 * @return the number of running tasks
	 */
	int getActiveCount();

}
